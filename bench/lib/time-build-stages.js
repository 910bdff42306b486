// Times each JS-side stage of a sandboxed build over the bench app's modules, in one thread, without a bundler:
// what the onLoad/onResolve hooks cost per stage, apart from esbuild's IPC and its own work.
// Usage: node bench/lib/time-build-stages.js [rounds]   (after npm run build; medians of `rounds`, default 3)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'acorn';
import { parseModule } from 'meriyah';
import { scanApp } from '../make-policy.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tool = (relative) => import(pathToFileURL(path.join(ROOT, 'dist', relative)).href);
const { inspectModule } = await tool('src/analysis/inspect-module.js');
const { wrapModule } = await tool('src/transform/wrap-module.js');
const { createPackageGraph } = await tool('src/transform/package-graph.js');

const rounds = Number(process.argv[2] ?? 3);
const scan = await scanApp(path.join(ROOT, 'bench/app/index.js'));
const files = Object.keys(scan.metafile.inputs).filter((f) => f.includes('node_modules/') && /\.[cm]?js$/.test(f)).map((f) => path.resolve(ROOT, f));
const sources = files.map((f) => fs.readFileSync(f, 'utf8'));
const bytes = sources.reduce((s, x) => s + x.length, 0);
const graph = createPackageGraph(path.join(ROOT, 'bench/app'));
const outdir = path.join(ROOT, 'bench/results/tmp');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(label, fn) {
  await fn(); // warm-up: JIT and caches
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  console.log(`${median(samples).toFixed(0).padStart(7)} ms  ${label}`);
  return median(samples);
}

console.log(`${files.length} dependency modules, ${(bytes / 1e6).toFixed(1)} MB; medians of ${rounds} rounds after a warm-up\n`);
await time('fs.promises.readFile, all files (what the esbuild onLoad does, one at a time)', async () => {
  for (const f of files) await fs.promises.readFile(f, 'utf8');
});
await time('fs.readFileSync, all files', () => {
  for (const f of files) fs.readFileSync(f, 'utf8');
});
await time('fs.realpathSync x3 per file (ownerOf on importer, target, transform)', () => {
  for (const f of files) for (let i = 0; i < 3; i++) fs.realpathSync(f);
});
await time('fs.realpathSync.native x3 per file', () => {
  for (const f of files) for (let i = 0; i < 3; i++) fs.realpathSync.native(f);
});
await time('graph.identify x3 per file (package identity, as built today)', () => {
  for (const f of files) for (let i = 0; i < 3; i++) graph.identify(f);
});
await time('acorn.parse alone (module goal)', () => {
  for (const s of sources) {
    try {
      parse(s, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true, allowReturnOutsideFunction: true });
    } catch {
      // counted by inspectModule
    }
  }
});
await time('meriyah parseModule alone (what inspectModule parses with; acorn only for files it refuses)', () => {
  for (const s of sources) {
    try {
      parseModule(s, { ranges: true, lexical: true });
    } catch {
      // those go to acorn in inspectModule
    }
  }
});
const facts = [];
await time('inspectModule (parse + free names + requires)', () => {
  facts.length = 0;
  sources.forEach((s, i) => facts.push(inspectModule(s, files[i])));
});
const wrapped = [];
await time('wrapModule without source map', () => {
  sources.forEach((s, i) => wrapModule(s, facts[i], { relativePath: path.relative(outdir, files[i]), sourceMap: false, file: files[i] }));
});
await time('wrapModule with source map (hires: false, includeContent)', () => {
  wrapped.length = 0;
  sources.forEach((s, i) => wrapped.push(wrapModule(s, facts[i], { relativePath: path.relative(outdir, files[i]), sourceMap: true, file: files[i] })));
});
let mapBytes = 0;
await time('inline the map: JSON.stringify + base64 (what the adapter returns to esbuild)', () => {
  mapBytes = 0;
  for (const w of wrapped) mapBytes += Buffer.from(JSON.stringify(w.map)).toString('base64').length;
});
const codeBytes = wrapped.reduce((s, w) => s + w.code.length, 0);
console.log(`\nsent to esbuild by onLoad: ${(codeBytes / 1e6).toFixed(1)} MB of code + ${(mapBytes / 1e6).toFixed(1)} MB of inline base64 maps (plain esbuild reads ${(bytes / 1e6).toFixed(1)} MB itself)`);
