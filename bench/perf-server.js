// Server CPU per request, and where it goes: loads a bench bundle's HTTP server like `npm run bench` does,
// reads the server's own CPU time over the measured window, and optionally samples it with Linux `perf`.
// Run `npm run bench` (or `node bench/run.js --quick --only build`) first: this uses its bundles.
// Usage: node bench/perf-server.js <express|fastify> [plain|sandboxed|lockdown ...] [--rounds N] [--ms N] [--perf]
//        (several variants alternate, N rounds each; --perf writes bench/results/tmp/perf/<mode>-<variant>.txt)
//        node bench/perf-server.js --compare <a.txt> <a requests> <b.txt> <b requests>
//
// Why not --cpu-prof: it samples the main thread's wall clock, so on 2 busy cores a syscall that waits
// counts as time in `writev`, and C++ runtime calls (a keyed store sent to the runtime, say) are folded
// into the JS frame that made them. `perf record -e cpu-clock` samples CPU time only, native frames
// included; `--perf-basic-prof-only-functions` names the JS frames. `perf` comes from Debian's
// linux-perf package; only the software cpu-clock event is needed.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from './lib/load.js';
import { LOCKDOWN_ONLY_PRELOAD, lockdownOnlyEnv } from './lib/lockdown-only.js';
import { procStat } from './lib/proc-stat.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TMP = path.join(ROOT, 'bench/results/tmp');
const PERF_DIR = path.join(TMP, 'perf');

/** One server run: warm-up, then a measured window; returns req/s and CPU microseconds per request. */
async function measure(mode, variant, { ms, perfOut }) {
  const lockdownOnly = variant === 'lockdown';
  const bundle = path.join(TMP, `${lockdownOnly ? 'plain' : variant}-esbuild.cjs`);
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run bench (or node bench/run.js --quick --only build) first`);
  const args = [...(perfOut ? ['--perf-basic-prof-only-functions'] : []), ...(lockdownOnly ? LOCKDOWN_ONLY_PRELOAD : []), bundle, mode, '0'];
  const env = lockdownOnly ? await lockdownOnlyEnv() : process.env;
  const child = spawn(process.execPath, args, { cwd: TMP, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('close', resolve));
  let stdout = '';
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const found = /"port":(\d+)/.exec(stdout);
      if (found) resolve(Number(found[1]));
    });
    child.on('close', (code) => reject(new Error(`${variant} ${mode} server exited (${code}) before reporting a port`)));
  });
  try {
    const load = { port, path: '/users/42?fields=name,email', connections: 8 };
    await runLoad({ ...load, durationMs: 1000 });
    const before = procStat(child.pid).cpuMs;
    const recorder = perfOut
      ? spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '2000', '-g', '-o', `${perfOut}.data`, '-p', String(child.pid), '--', 'sleep', String(ms / 1000)], { stdio: 'inherit' })
      : undefined;
    const measured = await runLoad({ ...load, durationMs: ms });
    const after = procStat(child.pid).cpuMs;
    if (recorder) await new Promise((resolve) => recorder.on('close', resolve));
    return { rps: measured.rps, requests: measured.requests, cpuUsPerRequest: ((after - before) * 1000) / measured.requests };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * Stacks from `perf script -F ip,sym`: one frame per line, leaf first, blank line between samples.
 * A JS frame in a bench bundle loses its position (`JS:*parse (bundle)`), so that two bundles (plain
 * and sandboxed) compare by function name; optimization tiers (`*`, `^`, `~`) are merged too.
 */
function readStacks(file) {
  const frameName = (line) =>
    line
      .trim()
      .replace(/^[0-9a-f]+ /, '')
      .replace(/^JS:[*^~+]?/, 'JS:')
      .replace(/ \S*\/bench\/results\/tmp\/[^ ]*$/, ' (bundle)');
  return fs
    .readFileSync(file, 'utf8')
    .split('\n\n')
    .map((sample) => sample.trim().split('\n').map(frameName))
    .filter((frames) => frames[0]);
}

/**
 * Samples per 1,000 requests of two runs, side by side, sorted by the difference: by leaf frame, and
 * by the V8 runtime function a sample is inside (a JS operation that left its fast path shows there).
 */
function compare(fileA, requestsA, fileB, requestsB, top = 30) {
  const count = (file) => {
    const leaf = new Map();
    const runtime = new Map();
    const stacks = readStacks(file);
    for (const frames of stacks) {
      leaf.set(frames[0], (leaf.get(frames[0]) ?? 0) + 1);
      const inRuntime = frames.find((frame) => frame.includes('Runtime_')) ?? '(not in a runtime function)';
      runtime.set(inRuntime, (runtime.get(inRuntime) ?? 0) + 1);
    }
    return { samples: stacks.length, leaf, runtime };
  };
  const a = count(fileA);
  const b = count(fileB);
  const perA = 1000 / requestsA;
  const perB = 1000 / requestsB;
  const lines = [`samples per 1,000 requests: ${(a.samples * perA).toFixed(1)} | ${(b.samples * perB).toFixed(1)}  (2 kHz: 1 sample = 0.5 ms of CPU)`];
  for (const key of ['leaf', 'runtime']) {
    lines.push(`-- by ${key === 'leaf' ? 'leaf frame' : 'runtime function'}: a | b | b - a`);
    const names = new Set([...a[key].keys(), ...b[key].keys()]);
    const rows = [...names].map((name) => [name, (a[key].get(name) ?? 0) * perA, (b[key].get(name) ?? 0) * perB]).sort((x, y) => y[2] - y[1] - (x[2] - x[1]));
    for (const [name, x, y] of rows.slice(0, top)) lines.push(`${x.toFixed(2).padStart(8)} ${y.toFixed(2).padStart(8)} ${(y - x).toFixed(2).padStart(8)}  ${name.slice(0, 120)}`);
  }
  return lines.join('\n');
}

const argv = process.argv.slice(2);
if (argv[0] === '--compare') {
  const [, fileA, requestsA, fileB, requestsB] = argv;
  console.log(compare(fileA, Number(requestsA), fileB, Number(requestsB)));
} else {
  const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
  const positional = argv.filter((arg, i) => !arg.startsWith('--') && !['--rounds', '--ms'].includes(argv[i - 1]));
  const [mode = 'fastify', ...variants] = positional;
  if (!['express', 'fastify'].includes(mode)) throw new Error(`mode must be express or fastify, got ${JSON.stringify(mode)}`);
  const rounds = option('--rounds', 3);
  const ms = option('--ms', 3000);
  const withPerf = argv.includes('--perf');
  if (withPerf && spawnSync('perf', ['--version']).status !== 0) throw new Error('--perf needs Linux perf: apt-get install linux-perf');
  if (withPerf) fs.mkdirSync(PERF_DIR, { recursive: true });
  const results = new Map();
  for (let round = 1; round <= rounds; round++) {
    for (const variant of variants.length > 0 ? variants : ['plain', 'sandboxed']) {
      const perfOut = withPerf && round === rounds ? path.join(PERF_DIR, `${mode}-${variant}`) : undefined;
      const r = await measure(mode, variant, { ms, perfOut });
      console.log(`${mode} ${variant.padEnd(10)} round ${round}: ${Math.round(r.rps)} req/s, ${r.cpuUsPerRequest.toFixed(1)} us CPU per request`);
      if (perfOut) {
        const script = spawnSync('perf', ['script', '-i', `${perfOut}.data`, '-F', 'ip,sym'], { maxBuffer: 1 << 30 });
        fs.writeFileSync(`${perfOut}.txt`, script.stdout);
        console.log(`  perf samples: ${perfOut}.txt (${r.requests} requests; compare with --compare)`);
      }
      results.set(variant, [...(results.get(variant) ?? []), r]);
    }
  }
  const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
  for (const [variant, runs] of results) {
    console.log(`median ${variant.padEnd(10)} ${Math.round(median(runs.map((r) => r.rps)))} req/s, ${median(runs.map((r) => r.cpuUsPerRequest)).toFixed(1)} us CPU per request`);
  }
}
