// A Node app built with Vite 7's SSR build and sandbox(): the bundle runs, the attacks are blocked, the legit work succeeds.
//
// The Vite configuration a user writes (the plugin forces the rest, see plugins/rollup/index.ts):
//   plugins: [sandbox({ policy })],
//   build: { ssr: 'index.js', rollupOptions: { output: { format: 'cjs' | 'es' } } }
// sandbox() sets ssr.noExternal: true (packages must be bundled to be sandboxed) and the commonjs
// options it needs (strictRequires, transformMixedEsModules, include everything), and puts itself
// before Vite's resolver (enforce: 'pre'); it applies to builds only.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build, type Plugin } from 'vite';
import { sandbox } from '../plugins/rollup/index.js';
import { scratchDir } from '../test/scratch.js';

const TIMEOUT_MS = 60_000;
const APP = fileURLToPath(new URL('./fixtures-vite', import.meta.url));
const SECRET = path.join(APP, 'lib/secret.txt');
const work = scratchDir('sb-vite-');

const ATTACKS = ["require('fs')", "require('child_process')", 'computed require', "import('node:fs')", 'Function constructor', 'globalThis.process'];
const LEGIT = { slug: 'hello-vite-world', joined: 'a/b/c' };

/** Builds the fixture with Vite's SSR build into its own directory; returns the entry file. */
async function viteBuild(name: string, format: 'cjs' | 'es', plugins: Plugin[], ssr: Record<string, unknown> = {}): Promise<string> {
  const outDir = path.join(work, name);
  // .cjs/.mjs: the output directory has no package.json to tell Node the format.
  const ext = format === 'cjs' ? 'cjs' : 'mjs';
  await build({
    root: APP,
    configFile: false,
    logLevel: 'silent',
    plugins,
    ssr,
    build: {
      ssr: 'index.js',
      outDir,
      emptyOutDir: true,
      rollupOptions: { output: { format, entryFileNames: `[name].${ext}`, chunkFileNames: `chunks/[name]-[hash].${ext}` } },
    },
  });
  return path.join(outDir, `index.${ext}`);
}

function run(file: string) {
  const result = spawnSync(process.execPath, [file, SECRET], { encoding: 'utf8' });
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  return { code: result.status, stderr: result.stderr, report: last.startsWith('{') ? JSON.parse(last) : undefined };
}

describe('Vite 7 SSR build with sandbox()', () => {
  it(
    'plain Vite build: the attacks escape (the threat is real)',
    async () => {
      const result = run(await viteBuild('plain', 'cjs', [], { noExternal: true }));
      expect(result.report?.legit).toEqual(LEGIT);
      // A computed require fails in any rollup bundle (commonjs's "Could not dynamically require" stub).
      for (const attack of ATTACKS.filter((a) => a !== 'computed require')) expect(result.report?.attacks[attack], attack).toBe('escaped');
    },
    TIMEOUT_MS,
  );

  it.each(['cjs', 'es'] as const)(
    'sandboxed %s output: every attack is blocked and the legit work succeeds',
    async (format) => {
      const result = run(await viteBuild(`sandboxed-${format}`, format, [sandbox({ policy: path.join(APP, 'sandbox-policy.json') })]));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.report?.legit).toEqual(LEGIT);
      for (const attack of ATTACKS) expect(result.report?.attacks[attack], attack).toMatch(/^blocked: /);
      // Denials through the policy carry the sandbox's code; the rest find no process at all.
      expect(result.report?.attacks["require('fs')"]).toBe('blocked: SB_PERMISSION_DENIED');
      expect(result.report?.attacks["import('node:fs')"]).toBe('blocked: SB_PERMISSION_DENIED');
    },
    TIMEOUT_MS,
  );

  it(
    'refuses a package the user externalized: it would run outside the sandbox',
    async () => {
      const failure = await viteBuild('externalized', 'cjs', [sandbox({ policy: path.join(APP, 'sandbox-policy.json') })], { external: ['slugger'] }).catch((error: Error) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(String((failure as Error).message)).toMatch(/"slugger" is external .*outside the sandbox/s);
    },
    TIMEOUT_MS,
  );
});
