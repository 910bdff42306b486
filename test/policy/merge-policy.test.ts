// Tests for mergePolicies: override wins key by key, inputs stay untouched, output is sorted.
import { describe, expect, it } from 'vitest';
import { mergePolicies, type PolicyFile } from '../../src/policy/index.js';

describe('mergePolicies', () => {
  it.each<[string, PolicyFile, PolicyFile, PolicyFile]>([
    ['keeps packages only one side names',
      { resources: { a: { native: true } } },
      { resources: { b: { globals: { fetch: true } } } },
      { resources: { a: { native: true }, b: { globals: { fetch: true } } } }],
    ['merges globals, builtin and packages key by key, the override winning',
      { resources: { a: { globals: { console: true, fetch: true }, builtin: { fs: true }, packages: { b: true } } } },
      { resources: { a: { globals: { fetch: false }, builtin: { path: true }, packages: { b: 'write' } } } },
      { resources: { a: { globals: { console: true, fetch: false }, builtin: { fs: true, path: true }, packages: { b: 'write' } } } }],
    ['takes native from the override when it has one',
      { resources: { a: { native: true } } },
      { resources: { a: { native: false } } },
      { resources: { a: { native: false } } }],
    ['keeps native from the base when the override has none',
      { resources: { a: { native: true } } },
      { resources: { a: { globals: { fetch: true } } } },
      { resources: { a: { globals: { fetch: true }, native: true } } }],
    // Without this, "node:fs": false in an override would leave the base's "fs": true granted.
    ['revokes a builtin spelled differently in the base',
      { resources: { a: { builtin: { fs: true, 'node:path': true } } } },
      { resources: { a: { builtin: { 'node:fs': false, path: false } } } },
      { resources: { a: { builtin: { 'node:fs': false, path: false } } } }],
    ['treats a package named like an Object.prototype member as a package',
      { resources: {} },
      { resources: { constructor: { native: true } } },
      { resources: { constructor: { native: true } } }],
  ])('%s', (_name, base, override, expected) => {
    expect(mergePolicies(base, override)).toEqual(expected);
  });

  it('does not change its inputs', () => {
    const base: PolicyFile = { resources: { a: { globals: { fetch: true } } } };
    const override: PolicyFile = { resources: { a: { globals: { fetch: false } }, b: {} } };
    const before = JSON.stringify([base, override]);
    mergePolicies(base, override);
    expect(JSON.stringify([base, override])).toBe(before);
  });

  it('sorts every key of the result', () => {
    const merged = mergePolicies(
      { resources: { z: { globals: { setTimeout: true, console: true } }, m: {} } },
      { resources: { a: { builtin: { util: true, 'node:fs': true } }, m: { packages: { y: true, b: true } } } },
    );
    expect(JSON.stringify(merged)).toBe(
      '{"resources":{"a":{"builtin":{"node:fs":true,"util":true}},"m":{"packages":{"b":true,"y":true}},"z":{"globals":{"console":true,"setTimeout":true}}}}',
    );
  });
});
