// Compiles the tool (src/, plugins/) to dist/, and the runtime shim to one standalone script, dist/runtime.cjs.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

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
