// One timed build in a fresh process: `node bench/lib/build-child.js '<json request>'`, prints `BENCH {"ms": ...}`.
// Plain builds use the very options the sandboxed build passes its bundler, minus the sandbox plugin,
// so the ratio is the sandbox's own cost. Only the build call is timed (not Node or module loading).
// Also reported: the CPU time of this process during the build and, on Linux, of esbuild's service
// process (its only work is this build), so a row can say which side a build's time is spent on.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PLAIN_ESBUILD_OPTIONS } from './esbuild-options.js';
import { procStat } from './proc-stat.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Milliseconds of CPU (user + system) of this process's child processes, from /proc; undefined elsewhere. */
function childProcessesCpuMs() {
  if (!fs.existsSync('/proc/self/stat')) return undefined;
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = procStat(entry);
    } catch {
      continue; // gone in between
    }
    if (stat.ppid === String(process.pid)) total += stat.cpuMs;
  }
  return total;
}

function writeFiles(files) {
  for (const file of files) {
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    fs.writeFileSync(file.path, file.contents);
  }
}

/** Mirrors buildWithEsbuild in src/build.ts without the plugin. */
async function plainEsbuild({ entry, outfile, cwd }) {
  const esbuild = await import('esbuild');
  const start = performance.now();
  const result = await esbuild.build({ ...PLAIN_ESBUILD_OPTIONS, absWorkingDir: cwd, entryPoints: [entry], outfile });
  writeFiles(result.outputFiles.map((f) => ({ path: f.path, contents: f.contents })));
  return performance.now() - start;
}

/** Mirrors buildWithRollup in plugins/rollup/build.ts without the plugin (same resolve/commonjs/json options). */
async function plainRollup({ entry, outfile, cwd }) {
  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  const commonjs = (await import('@rollup/plugin-commonjs')).default;
  const json = (await import('@rollup/plugin-json')).default;
  const ext = path.extname(outfile);
  const output = {
    dir: path.dirname(outfile),
    entryFileNames: path.basename(outfile),
    chunkFileNames: `${path.basename(outfile, ext)}.chunk-[hash]${ext}`,
    format: 'cjs',
    sourcemap: true,
    exports: 'auto',
  };
  const start = performance.now();
  const bundle = await rollup({
    input: entry,
    output,
    plugins: [
      nodeResolve({ exportConditions: ['node'], preferBuiltins: true, rootDir: cwd }),
      commonjs({ strictRequires: true, ignoreTryCatch: false, transformMixedEsModules: true }),
      json(),
    ],
    onLog() {},
  });
  const { output: chunks } = await bundle.generate(output);
  writeFiles(chunks.map((item) => ({ path: path.join(output.dir, item.fileName), contents: item.type === 'chunk' ? item.code : item.source })));
  await bundle.close();
  return performance.now() - start;
}

async function sandboxed({ entry, outfile, cwd, policy, bundler, cache }) {
  const file = path.join(ROOT, 'dist/src/index.js');
  if (!fs.existsSync(file)) throw new Error(`bench: "${file}" is missing. Run "npm run build" first.`);
  const { buildSandboxed } = await import(pathToFileURL(file).href);
  const start = performance.now();
  // cache: false for a cold build (every module parsed); undefined uses the app's facts cache.
  const result = await buildSandboxed({ entry, outfile, cwd, policy, bundler, cache });
  return { ms: performance.now() - start, warnings: result.warnings.length };
}

const request = JSON.parse(process.argv[2]);
try {
  const cpuBefore = process.cpuUsage();
  const timed = request.variant === 'plain' ? (request.bundler === 'rollup' ? await plainRollup(request) : await plainEsbuild(request)) : await sandboxed(request);
  const cpu = process.cpuUsage(cpuBefore);
  // Rollup runs in this process; esbuild's service is a child, started by this build (before it, no child ran).
  const cpuMs = { node: Math.round((cpu.user + cpu.system) / 1000), ...(request.bundler === 'rollup' ? {} : { esbuild: childProcessesCpuMs() }) };
  const figures = typeof timed === 'number' ? { ms: timed } : timed;
  process.stdout.write(`BENCH ${JSON.stringify({ ...figures, cpuMs, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
} catch (error) {
  // First line only: the runner puts it in the table as the reason a row is missing.
  process.stdout.write(`BENCH ${JSON.stringify({ error: String(error?.message ?? error).split('\n').slice(0, 4).join(' ') })}\n`);
  process.exitCode = 1;
}
