// Builtins named only with `false` entries in the runtime policy, and the harmless members of powerful
// builtins: generated as grants, not doors, and not marked dangerous.
import { describe, expect, it } from 'vitest';
import { describeDanger, resolveRuntimePolicy, type PolicyFile } from '../../src/policy/index.js';
import { capBuiltinPath, isBuiltinDoor } from '../../src/analysis/permission-paths.js';

describe('resolveRuntimePolicy: deniedBuiltins', () => {
  it.each<[string, NonNullable<PolicyFile['resources'][string]['builtin']>, string[] | undefined]>([
    ['a denied member', { 'worker_threads.Worker': false }, ['worker_threads']],
    ['a denied whole module next to a denied member', { worker_threads: false, 'worker_threads.markAsUncloneable': false }, ['worker_threads']],
    ['a lone whole-module false', { child_process: false }, ['child_process']],
    ['node: prefixes are the same builtin', { 'node:worker_threads.Worker': false, 'worker_threads.parentPort': false }, ['worker_threads']],
    ['a builtin with a grant loads anyway: not listed', { 'worker_threads.Worker': false, 'worker_threads.isMainThread': true }, undefined],
    ['a nested denied member next to a nested grant', { 'v8.startupSnapshot': false, 'v8.startupSnapshot.isBuildingSnapshot': true }, undefined],
    ['a policy that contradicts itself grants nothing, and names the builtin', { 'node:fs': true, fs: false }, ['fs']],
    ['several, sorted', { 'vm.runInNewContext': false, 'module._load': false, 'fs/promises.rm': false }, ['fs/promises', 'module', 'vm']],
    ['only grants', { 'fs.readFile': true }, undefined],
  ])('%s', (_name, builtin, expected) => {
    const resolved = resolveRuntimePolicy({ resources: { a: { builtin } } });
    expect(resolved.deniedBuiltins?.a).toEqual(expected);
  });

  it('lists packages that have no grant at all (their resources entry is omitted)', () => {
    const resolved = resolveRuntimePolicy({ resources: { 'pino>thread-stream': { builtin: { 'worker_threads.Worker': false } }, kept: { native: true } } });
    expect(Object.keys(resolved.resources)).toEqual(['kept']);
    expect(resolved.deniedBuiltins).toEqual({ 'pino>thread-stream': ['worker_threads'] });
  });

  it('is absent when no package has such a builtin, so existing policies keep their exact bytes', () => {
    const resolved = resolveRuntimePolicy({ resources: { a: { builtin: { fs: true }, globals: { fetch: false } } } });
    expect('deniedBuiltins' in resolved).toBe(false);
  });

  it('never lets a stray value of an unchecked policy count as naming a builtin', () => {
    const unchecked = { resources: { a: { builtin: { fs: 'false', os: 0 } } } };
    expect(resolveRuntimePolicy(unchecked as unknown as PolicyFile).deniedBuiltins).toBeUndefined();
  });

  it('keeps package names such as "__proto__" as plain keys', () => {
    const resolved = resolveRuntimePolicy(JSON.parse('{"resources": {"__proto__": {"builtin": {"worker_threads.Worker": false}}}}'));
    expect(Object.getOwnPropertyDescriptor(resolved.deniedBuiltins, '__proto__')?.value).toEqual(['worker_threads']);
    expect(Object.getPrototypeOf(resolved.deniedBuiltins)).toBe(Object.prototype);
  });
});

describe('harmless members of powerful builtins', () => {
  it.each([
    'worker_threads.isMainThread',
    'worker_threads.threadId',
    'worker_threads.markAsUncloneable',
    'node:worker_threads.isMainThread',
    'v8.startupSnapshot.isBuildingSnapshot',
    'module.createRequire',
    'node:module.createRequire',
    'module.builtinModules',
    'module.isBuiltin',
  ])('%s is granted by generation and not dangerous', (key) => {
    expect(isBuiltinDoor(key)).toBe(false);
    expect(describeDanger('builtin', key)).toBeUndefined();
  });

  it.each([
    'worker_threads',
    'worker_threads.Worker',
    'worker_threads.parentPort',
    'worker_threads.workerData',
    'worker_threads.setEnvironmentData',
    'v8',
    'v8.startupSnapshot',
    'v8.startupSnapshot.addDeserializeCallback',
    'v8.setFlagsFromString',
    'module',
    'module.Module',
    'module._load',
    'module._resolveFilename',
    'module.register',
    'vm.runInNewContext',
  ])('%s stays a door and dangerous', (key) => {
    expect(isBuiltinDoor(key)).toBe(true);
    expect(describeDanger('builtin', key)).toBe('reaches outside the sandbox');
  });

  it.each<[string, string[], string]>([
    ['v8', ['startupSnapshot', 'isBuildingSnapshot'], 'v8.startupSnapshot.isBuildingSnapshot'],
    ['v8', ['startupSnapshot', 'addDeserializeCallback'], 'v8.startupSnapshot'],
    ['v8', ['startupSnapshot'], 'v8.startupSnapshot'],
    ['worker_threads', ['isMainThread', 'valueOf'], 'worker_threads.isMainThread'],
    ['fs', ['promises', 'readFile'], 'fs.promises.readFile'],
    ['fs', ['readFile', 'native'], 'fs.readFile'],
  ])('capBuiltinPath(%s, %j) -> %s', (module, members, expected) => {
    expect(capBuiltinPath(module, members)).toBe(expected);
  });
});
