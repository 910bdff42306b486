// Where the time goes: runs one bench measurement under `node --cpu-prof` and summarizes the profile.
// Run `npm run bench` (or `node bench/run.js --quick`) first: this uses its policy and bundles.
// Usage: node bench/profile.js build [esbuild|rollup] [plain|sandboxed] [cold]   (cold: no facts cache, every module parsed)
//        node bench/profile.js startup|express|fastify [plain|sandboxed|lockdown]
//        node bench/profile.js cpu <ajv|marked|yaml|zod> [plain|sandboxed|lockdown] [iterations]
// Variant 'lockdown' is the plain bundle after the embedded ses's lockdown alone (bench/lib/lockdown-only.cjs).
// Profiles go to bench/results/tmp/prof/; the summary goes to stdout.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from './lib/load.js';
import { LOCKDOWN_ONLY_PRELOAD, lockdownOnlyEnv } from './lib/lockdown-only.js';
import { summarizeProfile } from './lib/summarize-profile.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TMP = path.join(ROOT, 'bench/results/tmp');
const PROF = path.join(TMP, 'prof');

const BUILD_FRAMES = ['onLoad', 'onResolve', 'transformFile', 'inspectModule', 'parseFast', 'parseReference', 'findReferences', 'wrapModule', 'generateMap', 'resolveId', 'ownerOf', 'realpathSync', 'readFile', 'sendResponse', 'createSandboxContext'];
const RUN_FRAMES = ['startSandbox', 'lockdown', 'createScope', 'createEndowments', 'Compartment', 'createFacade', 'builtin', 'packageExports', 'createReadOnlyView', 'scope '];

function profiled(args, { cwd, name }) {
  fs.mkdirSync(PROF, { recursive: true });
  const before = new Set(fs.readdirSync(PROF));
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${PROF}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`, ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    process.stdout.write(d);
  });
  const done = new Promise((resolve) => child.on('close', () => resolve([...new Set(fs.readdirSync(PROF))].filter((f) => !before.has(f)).map((f) => path.join(PROF, f)))));
  return { child, done, stdout: () => stdout };
}

const [what = 'build', ...rest] = process.argv.slice(2);
if (what === 'build') {
  const [bundler = 'esbuild', variant = 'sandboxed', cold] = rest;
  const request = { variant, bundler, entry: 'bench/app/index.js', outfile: path.join(TMP, `profiled-${variant}-${bundler}.cjs`), cwd: ROOT, policy: 'bench/app/sandbox-policy.json', ...(cold === 'cold' ? { cache: false } : {}) };
  const { done } = profiled([path.join(ROOT, 'bench/lib/build-child.js'), JSON.stringify(request)], { cwd: ROOT, name: `build-${bundler}-${variant}` });
  for (const file of await done) console.log(summarizeProfile(file, { inclusive: BUILD_FRAMES, top: 30 }));
} else {
  const [variantOrLoop, ...more] = rest;
  const loop = what === 'cpu' ? variantOrLoop : undefined;
  const variant = (what === 'cpu' ? more[0] : variantOrLoop) ?? 'sandboxed';
  const lockdownOnly = variant === 'lockdown';
  const bundle = path.join(TMP, `${lockdownOnly ? 'plain' : variant}-esbuild.cjs`);
  if (!fs.existsSync(bundle)) throw new Error(`bench: ${bundle} is missing; run npm run bench (or node bench/run.js --quick) first`);
  const preload = lockdownOnly ? LOCKDOWN_ONLY_PRELOAD : [];
  const args = [...preload, ...(what === 'cpu' ? [bundle, 'cpu', loop, more[1] ?? '2000'] : what === 'startup' ? [bundle, 'startup'] : [bundle, what, '0'])];
  if (lockdownOnly) process.env.BENCH_LOCKDOWN_OPTIONS = (await lockdownOnlyEnv()).BENCH_LOCKDOWN_OPTIONS;
  const run = profiled(args, { cwd: TMP, name: `${what}${loop ? `-${loop}` : ''}-${variant}` });
  if (what === 'express' || what === 'fastify') {
    const port = await new Promise((resolve) => {
      const timer = setInterval(() => {
        const m = /BENCH (.*)\n/.exec(run.stdout());
        if (m) {
          clearInterval(timer);
          resolve(JSON.parse(m[1]).port);
        }
      }, 50);
    });
    const result = await runLoad({ port, path: '/users/42?fields=name,email', connections: 8, durationMs: 5000 });
    console.log(`load: ${result.rps.toFixed(0)} req/s, ${result.errors} errors`);
    run.child.kill('SIGTERM');
  }
  for (const file of await run.done) console.log(summarizeProfile(file, { bundle, inclusive: RUN_FRAMES, top: 30 }));
}
