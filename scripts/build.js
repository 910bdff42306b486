// Compiles the tool (src/, plugins/) to dist/, and the runtime shim to one standalone script, dist/runtime.cjs.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const sources = [];
/** Runtime files the build-time code imports too (plain data and pure lookups); the rest of src/runtime is only bundled. */
const SHARED_WITH_RUNTIME = ['hidden-doors.ts', 'denied-builtins.ts'].map((name) => path.join('src', 'runtime', name));
for (const dir of ['src', 'plugins']) {
  for (const entry of fs.readdirSync(path.join(root, dir), { recursive: true })) {
    const file = path.join(dir, entry);
    // The runtime is bundled on its own below.
    const sharedWithRuntime = SHARED_WITH_RUNTIME.includes(file);
    if (file.endsWith('.ts') && (!file.includes(`${path.sep}runtime${path.sep}`) || sharedWithRuntime)) sources.push(file);
  }
}
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await build({ absWorkingDir: root, entryPoints: sources, outdir: 'dist', outbase: '.', format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
// The policy schema's validator, compiled now rather than at the start of every build (Ajv's compile and load cost ~0.1 s).
{
  const { precompiledValidatorSource } = await import(pathToFileURL(path.join(root, 'dist/src/policy/validate-policy.js')).href);
  const schemaText = fs.readFileSync(path.join(root, 'schema/policy.schema.json'), 'utf8');
  fs.writeFileSync(path.join(root, 'dist/policy-validator.cjs'), precompiledValidatorSource(schemaText));
}
// The runtime is inlined into every bundle: one script, no imports, strict, deterministic.
await build({
  absWorkingDir: root,
  entryPoints: ['src/runtime/index.ts'],
  outfile: 'dist/runtime.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'neutral',
  target: 'es2022',
  legalComments: 'none',
  logLevel: 'warning',
});

// ses, as every bundle embeds it: built from ses's sources with two modules adjusted so that lockdown
// leaves V8's regex, iteration and promise fast paths on, one so that the prototypes stores by index
// look through are frozen without V8's frozen elements kind, and one so that each Compartment's global is
// set up without per-property garbage (src/runtime/ses-patches explains each). A patch either replaces
// a module, or appends to it and may insert one call before an anchor that must occur exactly once.
const SES_PATCHES = [
  { file: 'tame-regexp-constructor.js', replace: 'tame-regexp-constructor.js' },
  { file: 'enablements.js', append: 'enablements-fast-paths.js' },
  {
    file: 'lockdown.js',
    append: 'freeze-keeping-element-kinds.js',
    insert: { before: 'tamedHarden(toHarden);', code: 'freezeKeepingElementKinds(intrinsics);\n    ' },
  },
  { file: 'global-object.js', replace: 'global-object.js' },
];
const sesSourceDir = path.dirname(fs.realpathSync(fileURLToPath(import.meta.resolve('ses'))));
const applied = new Set();
const sesPatches = {
  name: 'ses-patches',
  setup(b) {
    for (const patch of SES_PATCHES) {
      const target = path.join(sesSourceDir, 'src', patch.file);
      b.onLoad({ filter: new RegExp(`[\\\\/]ses[\\\\/]src[\\\\/]${patch.file.replace('.', '\\.')}$`) }, (args) => {
        if (args.path !== target) return undefined;
        applied.add(patch.file);
        const ours = fs.readFileSync(path.join(root, 'src/runtime/ses-patches', patch.replace ?? patch.append), 'utf8');
        let theirs = patch.replace ? '' : fs.readFileSync(args.path, 'utf8');
        if (patch.insert) {
          const at = theirs.indexOf(patch.insert.before);
          if (at < 0 || theirs.indexOf(patch.insert.before, at + 1) >= 0) {
            throw new Error(`ses's ${patch.file} changed: ${JSON.stringify(patch.insert.before)} no longer occurs exactly once; update src/runtime/ses-patches/${patch.append} for the installed ses.`);
          }
          theirs = theirs.slice(0, at) + patch.insert.code + theirs.slice(at);
        }
        const contents = patch.replace ? ours : `${theirs}\n${ours}`;
        return { contents, loader: 'js', resolveDir: path.dirname(args.path) };
      });
    }
  },
};
await build({
  absWorkingDir: root,
  stdin: { contents: "import 'ses';", resolveDir: root, sourcefile: 'ses-entry.js' },
  outfile: 'dist/ses.cjs',
  bundle: true,
  format: 'iife',
  platform: 'neutral',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  // ses refuses to initialise in sloppy mode, and a bundled ES module is not strict by itself.
  banner: { js: "'use strict';" },
  plugins: [sesPatches],
  logLevel: 'warning',
});
const missed = SES_PATCHES.filter((p) => !applied.has(p.file)).map((p) => p.file);
if (missed.length > 0) {
  fs.rmSync(path.join(root, 'dist/ses.cjs'));
  throw new Error(`ses's layout changed (${missed.join(', ')} not found under ${sesSourceDir}/src): update src/runtime/ses-patches for the installed ses.`);
}
