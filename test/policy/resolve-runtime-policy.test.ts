// Tests for resolveRuntimePolicy and normalizeBuiltinName: what the runtime receives, byte for byte.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  loadPolicy,
  normalizeBuiltinName,
  resolveRuntimePolicy,
  type PolicyFile,
  type RuntimePackagePolicy,
} from '../../src/policy/index.js';

const none: RuntimePackagePolicy = { globals: {}, builtin: {}, packages: {}, native: false };

describe('normalizeBuiltinName', () => {
  it.each([
    ['fs', 'fs'],
    ['node:fs', 'fs'],
    ['node:fs.readFile', 'fs.readFile'],
    ['node:fs/promises.readFile', 'fs/promises.readFile'],
    ['node:test', 'test'],
    ['fs.node:x', 'fs.node:x'],
  ])('%s -> %s', (name, expected) => {
    expect(normalizeBuiltinName(name)).toBe(expected);
  });
});

describe('resolveRuntimePolicy', () => {
  it.each<[string, PolicyFile['resources'][string], RuntimePackagePolicy]>([
    ['strips node: from builtins', { builtin: { 'node:fs.readFile': true, path: true } },
      { ...none, builtin: { 'fs.readFile': true, path: true } }],
    ['counts node:fs and fs as one builtin', { builtin: { 'node:fs': true, fs: true } },
      { ...none, builtin: { fs: true } }],
    // A policy that contradicts itself grants nothing.
    ['denies a builtin granted under one spelling and refused under the other', { builtin: { 'node:fs': true, fs: false, os: true } },
      { ...none, builtin: { os: true } }],
    ['drops false entries', { globals: { fetch: false, console: true }, builtin: { fs: false }, packages: { b: false, c: true } },
      { ...none, globals: { console: true }, packages: { c: true } }],
    ['keeps "write"', { globals: { _bitcore: 'write' }, packages: { b: 'write' } },
      { ...none, globals: { _bitcore: 'write' }, packages: { b: 'write' } }],
    ['defaults native to false', { globals: { console: true } },
      { ...none, globals: { console: true } }],
    ['keeps native', { native: true },
      { ...none, native: true }],
  ])('%s', (_name, entry, expected) => {
    expect(resolveRuntimePolicy({ resources: { a: entry } }).resources.a).toEqual(expected);
  });

  it('omits packages left with no grant', () => {
    const resolved = resolveRuntimePolicy({
      resources: { empty: {}, refused: { globals: { fetch: false }, native: false }, kept: { native: true } },
    });
    expect(Object.keys(resolved.resources)).toEqual(['kept']);
  });

  it('grants only on exactly true or "write", whatever an unchecked policy holds', () => {
    const unchecked = { resources: { a: { globals: { fetch: 'yes', x: 1 }, builtin: { fs: 'true' }, native: 'true' } } };
    expect(resolveRuntimePolicy(unchecked as unknown as PolicyFile).resources).toEqual({});
  });

  it('gives the same bytes whatever the input key order', () => {
    const one: PolicyFile = {
      resources: {
        b: { packages: { 'b>z': true, 'b>a': true }, globals: { setTimeout: true, console: true } },
        a: { builtin: { util: true, 'node:fs': true }, native: true },
      },
    };
    const other: PolicyFile = {
      resources: {
        a: { native: true, builtin: { fs: true, 'node:util': true } },
        b: { globals: { console: true, setTimeout: true }, packages: { 'b>a': true, 'b>z': true } },
      },
    };
    const expected =
      '{"resources":{"a":{"globals":{},"builtin":{"fs":true,"util":true},"packages":{},"native":true},' +
      '"b":{"globals":{"console":true,"setTimeout":true},"builtin":{},"packages":{"b>a":true,"b>z":true},"native":false}}}';
    expect(JSON.stringify(resolveRuntimePolicy(one))).toBe(expected);
    expect(JSON.stringify(resolveRuntimePolicy(other))).toBe(expected);
  });

  it('resolves a LavaMoat policy', () => {
    const resolved = resolveRuntimePolicy(loadPolicy(fileURLToPath(new URL('./fixtures/lavamoat-node.json', import.meta.url))));
    expect(Object.keys(resolved.resources)).toEqual([...Object.keys(resolved.resources)].sort());
    expect(resolved.resources.$root$.builtin).toEqual({ path: true });
    expect(resolved.resources['@hathor/wallet-lib>bitcore-lib'].builtin).toEqual({
      'crypto.createHash': true,
      'crypto.randomBytes': true,
      'fs/promises.readFile': true,
    });
    expect(resolved.resources['event-stream>map-stream'].globals).toEqual({});
  });

  it('does not change its input', () => {
    const policy: PolicyFile = { resources: { a: { builtin: { 'node:fs': true }, globals: { fetch: false } } } };
    const before = JSON.stringify(policy);
    resolveRuntimePolicy(policy);
    expect(JSON.stringify(policy)).toBe(before);
  });
});
