// What esbuild's plugin hooks cost by themselves on the bench app, without any sandbox logic: one build per
// variant, variants alternating, medians. Separates the price of the hook mechanism (JS<->Go round trips,
// contents and inline maps sent over the pipe) from the price of analysis and wrapping.
// Usage: node bench/lib/time-esbuild-hooks.js [rounds] [variant substring ...]   (default 3 rounds, all variants)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import MagicString from 'magic-string';
import { PLAIN_ESBUILD_OPTIONS } from './esbuild-options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rounds = Number(process.argv[2] ?? 3);
const INNER = Symbol('inner');

const onResolveNoop = { name: 'resolve-noop', setup: (b) => b.onResolve({ filter: /.*/ }, () => undefined) };
const onResolveDelegate = {
  name: 'resolve-delegate',
  // The sandbox adapter's pattern: answer every resolve by asking esbuild to resolve it (two round trips).
  setup: (b) =>
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.[INNER] || args.kind === 'entry-point') return undefined;
      const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { [INNER]: true } });
      if (r.errors.length) return undefined;
      return r.external ? { path: args.path, external: true } : { path: r.path };
    }),
};
/** Delegating only bare specifiers: relative paths left to esbuild (their edges would be checked after the build). */
const onResolveDelegateBare = {
  name: 'resolve-delegate-bare',
  setup: (b) =>
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData?.[INNER] || args.kind === 'entry-point') return undefined;
      const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { [INNER]: true } });
      if (r.errors.length) return undefined;
      return r.external ? { path: args.path, external: true } : { path: r.path };
    }),
};
const onLoad = (withMap, sync) => ({
  name: `load${withMap ? '-map' : ''}${sync ? '-sync' : ''}`,
  setup: (b) =>
    b.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
      if (!args.path.includes('node_modules')) return undefined;
      const source = sync ? fs.readFileSync(args.path, 'utf8') : await fs.promises.readFile(args.path, 'utf8');
      if (!withMap) return { contents: source, loader: 'js', resolveDir: path.dirname(args.path) };
      const s = new MagicString(source);
      s.prepend(';var __sb = 1;');
      const map = s.generateMap({ source: args.path, includeContent: true, hires: false });
      return { contents: `${s.toString()}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`, loader: 'js', resolveDir: path.dirname(args.path) };
    }),
});

/** A cheap ES-module test, for the splice estimate below (the sandbox decides from its parse). */
const looksEsm = (source) => /^\s*(import|export)\b/m.test(source);
/** onResolve for relative paths too (the sandbox checks each one), answering nothing. */
const onResolveRelativeNoop = { name: 'resolve-relative-noop', setup: (b) => b.onResolve({ filter: /^\./ }, () => undefined) };
/** What splicing CommonJS wrappers would leave: onLoad still sees every module, but returns source only for ES modules. */
const onLoadEsmOnly = {
  name: 'load-esm-only',
  setup: (b) =>
    b.onLoad({ filter: /\.[cm]?js$/ }, (args) => {
      if (!args.path.includes('node_modules')) return undefined;
      const source = fs.readFileSync(args.path, 'utf8');
      return looksEsm(source) ? { contents: source, loader: 'js', resolveDir: path.dirname(args.path) } : undefined;
    }),
};

/**
 * The files a build with a plan from the previous build would still load through onLoad: the app's
 * ES modules in node_modules (the sandbox wraps those; CommonJS ones would be spliced). Listed from a
 * plain build's metafile, so onLoad's filter can name them and esbuild loads every other file itself.
 */
async function esmFilesFilter() {
  const plain = await esbuild.build({ ...PLAIN_ESBUILD_OPTIONS, absWorkingDir: ROOT, entryPoints: ['bench/app/index.js'], outfile: 'bench/results/tmp/hooks.cjs', write: false, metafile: true });
  const files = Object.keys(plain.metafile.inputs).map((key) => path.resolve(ROOT, key)).filter((file) => file.includes('node_modules') && /\.[cm]?js$/.test(file) && looksEsm(fs.readFileSync(file, 'utf8')));
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(?:${files.map(escape).join('|')})$`);
}
const esmOnlyFilter = await esmFilesFilter();
const onLoadPlannedEsm = {
  name: 'load-planned-esm',
  setup: (b) => b.onLoad({ filter: esmOnlyFilter }, (args) => ({ contents: fs.readFileSync(args.path, 'utf8'), loader: 'js', resolveDir: path.dirname(args.path) })),
};

const VARIANTS = {
  plain: [],
  'onResolve returning nothing': [onResolveNoop],
  'onResolve delegating to build.resolve': [onResolveDelegate],
  'onResolve delegating bare specifiers only': [onResolveDelegateBare],
  'onLoad returning source (fs.promises)': [onLoad(false, false)],
  'onLoad returning source (readFileSync)': [onLoad(false, true)],
  'onLoad returning source + inline map': [onLoad(true, true)],
  'delegating onResolve + onLoad with map': [onResolveDelegate, onLoad(true, true)],
  'bare-only onResolve + onLoad (readFileSync, no map)': [onResolveDelegateBare, onLoad(false, true)],
  'bare-only onResolve + onLoad (readFileSync) with map': [onResolveDelegateBare, onLoad(true, true)],
  'splice estimate: bare + relative onResolve, onLoad returning ES modules only': [onResolveDelegateBare, onResolveRelativeNoop, onLoadEsmOnly],
  'splice estimate without relative onResolve': [onResolveDelegateBare, onLoadEsmOnly],
  'planned: bare onResolve, onLoad filter naming the ES modules only': [onResolveDelegateBare, onLoadPlannedEsm],
  'planned, without onResolve': [onLoadPlannedEsm],
};

async function buildOnce(plugins) {
  const start = performance.now();
  await esbuild.build({ ...PLAIN_ESBUILD_OPTIONS, absWorkingDir: ROOT, entryPoints: ['bench/app/index.js'], outfile: 'bench/results/tmp/hooks.cjs', plugins });
  return performance.now() - start;
}

const only = process.argv.slice(3);
for (const name of Object.keys(VARIANTS)) if (only.length && name !== 'plain' && !only.some((o) => name.includes(o))) delete VARIANTS[name];
const samples = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
await buildOnce([]); // warm the file cache and the esbuild service
for (let i = 0; i < rounds; i++) {
  const order = Object.keys(VARIANTS);
  for (const name of i % 2 ? order.reverse() : order) samples[name].push(await buildOnce(VARIANTS[name]));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(samples.plain);
for (const [name, xs] of Object.entries(samples)) console.log(`${median(xs).toFixed(0).padStart(7)} ms  ${(median(xs) / base).toFixed(2)}x  ${name}`);
await esbuild.stop();
