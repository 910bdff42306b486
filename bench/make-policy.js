// Writes a broad policy for the bench app: every package gets what its bundled code imports and refers to.
// A stand-in for `sandbox-bundle policy` (bench/run.js uses the real command when the CLI has it, and says
// which one it measured). Grants the app needs beyond what its code references (writes to shared objects,
// the host Error for depd) are hand-written in bench/app/policy-override.json, which the build lays over this.
// Usage: node bench/make-policy.js [entry] [outfile]   (defaults: bench/app/index.js, bench/app/sandbox-policy.json)

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { builtinModules } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILTINS = new Set(builtinModules);
/** ECMAScript intrinsics: every ses Compartment has its own (tamed) copies, so they are never granted. */
const INTRINSICS = new Set(vm.runInNewContext('Object.getOwnPropertyNames(globalThis)'));
/** Granted to every package, used or not: the usual host globals of a Node package. */
const ALWAYS = ['process', 'console', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'queueMicrotask'];

/** The tool's own build-time modules, so canonical names and free-name analysis match the sandboxed build exactly. */
async function loadToolModule(relative) {
  const file = path.join(ROOT, 'dist', relative);
  if (!fs.existsSync(file)) throw new Error(`bench: "${file}" is missing. Run "npm run build" first.`);
  return import(pathToFileURL(file).href);
}

/** A builtin's policy name, or undefined. `fs/promises` is a builtin of its own; builtins newer than this Node (undici's `node:sqlite`) are left out, as the policy validator refuses them. */
function builtinName(specifier) {
  const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  return BUILTINS.has(name) ? name : undefined;
}

/** Every module a plain esbuild build of `entry` bundles (nothing written): the app's size and import edges. */
export async function scanApp(entry) {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = result.metafile.inputs;
  const files = Object.keys(inputs);
  return {
    metafile: result.metafile,
    modules: files.length,
    inputBytes: files.reduce((sum, file) => sum + inputs[file].bytes, 0),
    packageModules: files.filter((file) => file.includes('node_modules/')).length,
  };
}

/** Grants per package: builtins and packages it imports, host globals it names, plus ALWAYS. */
export async function makePolicy({ entry, appDir, metafile }) {
  const { createPackageGraph } = await loadToolModule('src/transform/package-graph.js');
  const { inspectModule } = await loadToolModule('src/analysis/inspect-module.js');
  metafile ??= (await scanApp(entry)).metafile;
  const graph = createPackageGraph(appDir);
  const resources = new Map();
  const grantsOf = (name) => {
    let grants = resources.get(name);
    if (!grants) resources.set(name, (grants = { globals: new Set(ALWAYS), builtin: new Set(), packages: new Set() }));
    return grants;
  };
  const unparsable = [];
  for (const [input, info] of Object.entries(metafile.inputs)) {
    const file = path.resolve(ROOT, input);
    const owner = graph.identify(file);
    if (!owner || owner === graph.root) continue;
    const grants = grantsOf(owner.name);
    for (const imported of info.imports) {
      if (imported.external) {
        const builtin = builtinName(imported.path);
        if (builtin) grants.builtin.add(builtin);
        continue;
      }
      const target = graph.identify(path.resolve(ROOT, imported.path));
      if (target && target !== owner && target !== graph.root) grants.packages.add(target.name);
    }
    if (!/\.[cm]?js$/.test(file)) continue;
    try {
      const facts = inspectModule(fs.readFileSync(file, 'utf8'), file);
      for (const name of facts.freeNames.keys()) {
        if (name in globalThis && !INTRINSICS.has(name) && name !== 'global' && name !== 'require') grants.globals.add(name);
      }
      for (const call of facts.requireCalls) {
        const builtin = builtinName(call.specifier);
        if (builtin) grants.builtin.add(builtin);
      }
    } catch (error) {
      unparsable.push(`${input}: ${error.message.split('\n')[0]}`);
    }
  }
  const sorted = (set) => Object.fromEntries([...set].sort().map((key) => [key, true]));
  const names = [...resources.keys()].sort();
  const policy = {
    resources: Object.fromEntries(names.map((name) => {
      const grants = resources.get(name);
      return [name, { globals: sorted(grants.globals), builtin: sorted(grants.builtin), packages: sorted(grants.packages) }];
    })),
  };
  return { policy, unparsable };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const entry = path.resolve(process.argv[2] ?? path.join(ROOT, 'bench/app/index.js'));
  const outfile = path.resolve(process.argv[3] ?? path.join(ROOT, 'bench/app/sandbox-policy.json'));
  const { policy, unparsable } = await makePolicy({ entry, appDir: path.dirname(entry) });
  fs.writeFileSync(outfile, `${JSON.stringify(policy, null, 2)}\n`);
  console.log(`bench: wrote ${path.relative(process.cwd(), outfile)} (${Object.keys(policy.resources).length} packages)`);
  for (const line of unparsable) console.log(`bench: warning: not analysed (the sandboxed build will refuse it): ${line}`);
}
