// Where esbuild's own process spends a build's CPU, by Go function: Linux `perf` samples, symbolized from the binary's pclntab.
// Usage: node bench/lib/esbuild-profile.js [plain] [sandboxed] [cold]   (default: plain sandboxed; needs `perf`, Debian's linux-perf)
// The esbuild binary npm ships is stripped of its symbol table, so perf prints bare addresses; Go keeps
// every function's name and address range in the .gopclntab section (its runtime needs them for stack
// traces), which this reads. One build per variant, in a fresh process (bench/lib/build-child.js, the
// bench app, its policy); with two variants it prints the difference, the sandbox's cost in esbuild.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TMP = path.join(ROOT, 'bench/results/tmp');
const HZ = 1999;

/** The esbuild binary the JS API runs (its optional dependency for this platform). */
function esbuildBinary() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  return require.resolve(`@esbuild/${process.platform}-${process.arch}/bin/esbuild`);
}

/** A section's file offset and address in a 64-bit little-endian ELF file. */
function elfSection(buf, wanted) {
  if (buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) throw new Error('not a 64-bit little-endian ELF file');
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const names = shoff + buf.readUInt16LE(0x3e) * shentsize;
  const namesOffset = Number(buf.readBigUInt64LE(names + 0x18));
  for (let i = 0; i < shnum; i++) {
    const header = shoff + i * shentsize;
    let end = namesOffset + buf.readUInt32LE(header);
    const start = end;
    while (buf[end] !== 0) end++;
    if (buf.toString('latin1', start, end) === wanted) return { address: Number(buf.readBigUInt64LE(header + 0x10)), offset: Number(buf.readBigUInt64LE(header + 0x18)) };
  }
  throw new Error(`no ${wanted} section`);
}

/**
 * address -> Go function name, from .gopclntab (Go 1.18+ layout: a header, then a table of
 * [entry offset from the start of the text, offset of the function's record] sorted by entry).
 */
function goSymbolizer(binary) {
  const buf = fs.readFileSync(binary);
  const table = elfSection(buf, '.gopclntab').offset;
  const magic = buf.readUInt32LE(table);
  if (magic !== 0xfffffff0 && magic !== 0xfffffff1) throw new Error(`unknown pclntab magic ${magic.toString(16)}`);
  const word = (at) => Number(buf.readBigUInt64LE(table + at));
  const count = word(8);
  // The linker leaves textStart 0 for the runtime to fill in: then it is where .text starts.
  const textStart = word(24) || elfSection(buf, '.text').address;
  const functionNames = table + word(32);
  const functions = table + word(64);
  const entries = new Uint32Array(count);
  for (let i = 0; i < count; i++) entries[i] = buf.readUInt32LE(functions + i * 8);
  const nameAt = (i) => {
    const record = functions + buf.readUInt32LE(functions + i * 8 + 4);
    const start = functionNames + buf.readInt32LE(record + 4);
    let end = start;
    while (buf[end] !== 0) end++;
    return buf.toString('utf8', start, end);
  };
  const last = textStart + buf.readUInt32LE(functions + count * 8);
  return (address) => {
    if (address < textStart || address >= last) return '(outside esbuild: kernel, vdso)';
    const offset = address - textStart;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (entries[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return nameAt(lo);
  };
}

/** One build of the bench app under perf: milliseconds of esbuild CPU by function. */
function profileBuild(variant, cold, symbolize) {
  fs.mkdirSync(TMP, { recursive: true });
  const data = path.join(TMP, `esbuild-${variant}.perf.data`);
  const request = { variant, bundler: 'esbuild', entry: 'bench/app/index.js', outfile: path.join(TMP, `esbuild-profile-${variant}.cjs`), cwd: ROOT, policy: 'bench/app/sandbox-policy.json', ...(cold ? { cache: false } : {}) };
  const record = spawnSync('perf', ['record', '-e', 'cpu-clock', '-F', String(HZ), '-o', data, '--', process.execPath, path.join(ROOT, 'bench/lib/build-child.js'), JSON.stringify(request)], { encoding: 'utf8', cwd: ROOT });
  if (record.error || record.status !== 0) throw new Error(`perf record failed (${record.error?.message ?? record.stderr.trim()}); install Debian's linux-perf`);
  console.log(`${variant}: ${/BENCH (.*)/.exec(record.stdout)?.[1] ?? record.stdout.trim()}`);
  const script = spawnSync('perf', ['script', '-i', data, '--comm', 'esbuild', '-F', 'ip'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const byFunction = new Map();
  for (const line of script.stdout.split('\n')) {
    const ip = line.trim();
    if (!ip) continue;
    const name = symbolize(parseInt(ip, 16));
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1000 / HZ);
  }
  return byFunction;
}

const args = process.argv.slice(2);
const cold = args.includes('cold');
const variants = args.filter((a) => a === 'plain' || a === 'sandboxed');
const symbolize = goSymbolizer(esbuildBinary());
const profiles = (variants.length ? variants : ['plain', 'sandboxed']).map((variant) => [variant, profileBuild(variant, cold, symbolize)]);
const total = (m) => [...m.values()].reduce((a, b) => a + b, 0);
const short = (name) => name.replace('github.com/evanw/esbuild/internal/', '');
for (const [variant, m] of profiles) console.log(`${variant}: ${total(m).toFixed(0)} ms of esbuild CPU sampled`);
if (profiles.length === 2) {
  const [[a, before], [b, after]] = profiles;
  const names = new Set([...before.keys(), ...after.keys()]);
  const rows = [...names].map((n) => [n, before.get(n) ?? 0, after.get(n) ?? 0]).sort((x, y) => y[2] - y[1] - (x[2] - x[1]));
  console.log(`\nms of esbuild CPU: ${a} | ${b} | difference (largest first)`);
  for (const [n, x, y] of rows.slice(0, 40)) console.log(`${x.toFixed(0).padStart(7)} ${y.toFixed(0).padStart(7)} ${(y - x).toFixed(0).padStart(7)}  ${short(n)}`);
} else {
  const [[variant, m]] = profiles;
  console.log(`\nms of esbuild CPU, ${variant} (largest first)`);
  for (const [n, x] of [...m].sort((p, q) => q[1] - p[1]).slice(0, 40)) console.log(`${x.toFixed(0).padStart(7)}  ${short(n)}`);
}
