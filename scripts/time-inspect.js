// Timing script (not a test): inspectModule over every .js file in node_modules vs acorn's parse alone.
// Usage: node scripts/time-inspect.js [rounds]. Bundles src/analysis with esbuild into a temp file so it runs without a build step.

import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { parse } from 'acorn';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 5);

// acorn is bundled into the temp file too; the baseline uses the same acorn version from node_modules.
const out = await build({
  entryPoints: [join(root, 'src/analysis/inspect-module.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'silent',
});
const dir = mkdtempSync(join(tmpdir(), 'time-inspect-'));
const bundled = join(dir, 'inspect-module.mjs');
writeFileSync(bundled, out.outputFiles[0].text);
const { inspectModule } = await import(pathToFileURL(bundled).href);
rmSync(dir, { recursive: true, force: true });

function* jsFiles(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* jsFiles(path);
    else if (entry.isFile() && entry.name.endsWith('.js')) yield path;
  }
}

const sources = [];
for (const file of [...jsFiles(join(root, 'node_modules'))].sort()) sources.push([file, readFileSync(file, 'utf8')]);
const bytes = sources.reduce((sum, [, source]) => sum + source.length, 0);

const options = { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true, allowReturnOutsideFunction: true };
let rejected = 0;
function parseAll() {
  for (const [, source] of sources) {
    try {
      parse(source, options);
    } catch {
      // counted by inspectAll
    }
  }
}
function inspectAll() {
  rejected = 0;
  for (const [file, source] of sources) {
    try {
      inspectModule(source, file);
    } catch {
      rejected++;
    }
  }
}
function time(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

// Warm up both paths once so the JIT is not part of the comparison, then alternate.
parseAll();
inspectAll();
const parseTimes = [];
const inspectTimes = [];
for (let i = 0; i < rounds; i++) {
  parseTimes.push(time(parseAll));
  inspectTimes.push(time(inspectAll));
}
// The minimum is the least disturbed by other load on the machine; the median is shown beside it.
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs) => Math.min(...xs);
const overhead = (n, p) => `${n >= p ? '+' : ''}${(((n - p) / p) * 100).toFixed(0)}%`;
console.log(`${sources.length} files, ${(bytes / 1e6).toFixed(1)} MB (${rejected} rejected by inspectModule), ${rounds} rounds:`);
console.log(`  acorn parse alone: min ${min(parseTimes).toFixed(0)} ms, median ${median(parseTimes).toFixed(0)} ms`);
console.log(
  `  inspectModule:     min ${min(inspectTimes).toFixed(0)} ms, median ${median(inspectTimes).toFixed(0)} ms` +
    ` (${overhead(min(inspectTimes), min(parseTimes))} over parsing, by min)`,
);
