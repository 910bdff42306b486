// LANGUAGE_GLOBALS must only name what a package really has without a grant: checked against a real ses Compartment.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LANGUAGE_GLOBALS } from '../../src/analysis/language-globals.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What the runtime endows every package with beyond the compartment's own global (src/runtime/index.ts DEFAULT_ENDOWMENTS, and `global`). */
const RUNTIME_ENDOWED = new Set(['Date', 'Math', 'Intl', 'Float32Array', 'Float64Array', 'WeakRef', 'FinalizationRegistry', 'global']);

describe('LANGUAGE_GLOBALS', () => {
  it('lists only names a compartment global has after lockdown (or the runtime endows)', () => {
    // A child process: lockdown changes this realm for good.
    const script = `import 'ses'; lockdown({ errorTaming: 'unsafe', consoleTaming: 'unsafe', overrideTaming: 'moderate' });
      const c = new Compartment(); process.stdout.write(JSON.stringify(Reflect.ownKeys(c.globalThis).filter((k) => typeof k === 'string')));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const provided = new Set<string>(JSON.parse(result.stdout));
    // Names this Node version lacks (Iterator on Node 20) are absent from host and compartment alike.
    const missing = [...LANGUAGE_GLOBALS].filter((name) => !provided.has(name) && !RUNTIME_ENDOWED.has(name) && name in globalThis);
    expect(missing).toEqual([]);
  });

  it.each(['console', 'process', 'Buffer', 'setTimeout', 'fetch', 'URL', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'require', 'module'])(
    'does not list host object %s, which needs a grant',
    (name) => {
      expect(LANGUAGE_GLOBALS.has(name)).toBe(false);
    },
  );
});
