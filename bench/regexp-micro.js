// RegExp split, replace and match per call, in three settings: plain node, ses lockdown alone, and a package's Compartment in the sandbox runtime (with its routing to the private realm).
// Usage: node bench/regexp-micro.js [plain|lockdown|sandboxed ...]   (default: all three, each in a fresh node)
// Needs `npm run build` (dist/ses.cjs, dist/runtime.cjs). Prints ns per call: the fastest of 7 batches, after a warm-up.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockdownOnlyEnv } from './lib/lockdown-only.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

// Runs where the setting says: in plain node and under lockdown as a plain function, in the sandbox as
// code of a package's Compartment (its `Function`), as a dependency's code would.
const CASES = `
const s = '2020-01-02T10:11:12Z', md = 'hello *world* and _more_ text here with \`code\` and more\\n'.repeat(4);
const separator = /t|\\s/i, marks = /[*_\`]/g;
return {
  "split(/t|\\\\s/i)": () => s.split(separator).length,
  "replace(/[*_\`]/g, '#')": () => md.replace(marks, '#').length,
  "replace(/[*_\`]/g, fn)": () => md.replace(marks, (m) => m + m).length,
  "match(/[*_\`]/g)": () => (md.match(marks) || []).length,
  "replaceAll(/[*_\`]/g, '')": () => md.replaceAll(marks, '').length,
  "replace named groups, fn": () => s.replace(/(?<year>\\d{4})/, (...args) => args[args.length - 1].year).length,
  "replace(/T/, ' '), literal per call": () => s.replace(/T/, ' ').length,
};`;

const CHILD = `
'use strict';
const setting = process.argv[1];
let makeCases = new Function(${JSON.stringify(CASES)});
if (setting !== 'plain') {
  require(${JSON.stringify(path.join(ROOT, 'dist', 'ses.cjs'))});
  const options = JSON.parse(process.env.BENCH_LOCKDOWN_OPTIONS);
  if (setting === 'lockdown') lockdown(options);
  else {
    const runtime = require(${JSON.stringify(path.join(ROOT, 'dist', 'runtime.cjs'))});
    const host = { realGlobal: globalThis, loadBuiltin: (name) => require(name), builtinModules: require('node:module').builtinModules, bundleDir: __dirname, lockdown: (o) => (lockdown(o), { Compartment, harden }) };
    const sandbox = runtime.startSandbox(host, { policy: { resources: { bench: { globals: {}, builtin: {}, packages: {}, native: false } } }, lockdownOptions: options });
    makeCases = new (sandbox.scope('bench').globalThis.Function)(${JSON.stringify(CASES)});
  }
}
const results = {};
for (const [name, call] of Object.entries(makeCases())) {
  let sink = 0;
  for (let i = 0; i < 2e4; i++) sink += call();
  let best = Infinity;
  for (let batch = 0; batch < 7; batch++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 5e4; i++) sink += call();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 5e4);
  }
  results[name] = Math.round(best);
}
process.stdout.write(JSON.stringify(results));
`;

const settings = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['plain', 'lockdown', 'sandboxed'];
const env = await lockdownOnlyEnv();
const table = {};
for (const setting of settings) {
  const run = spawnSync(process.execPath, ['-e', CHILD, setting], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${setting}: exited ${run.status}: ${run.stderr}`);
  for (const [name, ns] of Object.entries(JSON.parse(run.stdout))) (table[name] ??= {})[setting] = ns;
}
console.log(`| ns per call | ${settings.join(' | ')} |\n|---|${settings.map(() => '---:').join('|')}|`);
for (const [name, bySetting] of Object.entries(table)) console.log(`| \`${name.replaceAll("|", "\\|")}\` | ${settings.map((s) => bySetting[s]).join(' | ')} |`);
