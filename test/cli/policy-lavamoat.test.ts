// LavaMoat policies: plain ones load as they are, newer ones are refused with a pointer to --from-lavamoat, which converts them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../src/errors.js';
import { convertLavaMoatPolicy, findLavaMoatFeatures, loadPolicy } from '../../src/policy/index.js';
import { scratchDir } from '../scratch.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = (name: string) => path.join(repo, 'test/fixtures/policy-lavamoat', name);
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const cli = path.join(repo, 'bin/sandbox-bundle.js');
const work = scratchDir('sb-lavamoat-');

function run(args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: repo, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('loading LavaMoat policies', () => {
  it('loads a plain LavaMoat policy as it is', () => {
    expect(loadPolicy(fixture('plain-policy.json'))).toEqual(read(fixture('plain-policy.json')));
  });

  it('refuses a newer LavaMoat policy with every problem listed and the conversion command', () => {
    let error: unknown;
    try {
      loadPolicy(fixture('newer-policy.json'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxError);
    const message = (error as SandboxError).message;
    expect((error as SandboxError).code).toBe('SB_POLICY_INVALID');
    expect(message).toMatch(/is a LavaMoat policy with fields sandbox-bundle does not read as written \(11 problems\)\. Convert it once with: sandbox-bundle policy --from-lavamoat ".*newer-policy\.json" -o sandbox-policy\.json/);
    expect(message).toContain('  - top level: unexpected key "moduleShims"; allowed keys are resources');
    expect(message).toContain('  - resources: expected each key to be a canonical package name');
    expect(message).toContain('  - resources["debug"]: unexpected key "environment"');
    expect(message).toContain('  - resources["debug"].globals["console"]: expected true, false or "write", got "read"');
  });

  it('gives the same message from build --policy, exit 1', () => {
    const result = run(['build', 'test/fixtures/policy-app/index.js', '-o', path.join(work, 'x.cjs'), '--policy', fixture('newer-policy.json')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/is a LavaMoat policy .* --from-lavamoat/);
    expect(fs.existsSync(path.join(work, 'x.cjs'))).toBe(false);
  });

  it.each<[string, unknown, string[]]>([
    ['a plain policy', { resources: { a: { globals: { console: true } } } }, []],
    ['not an object', 'nope', []],
    ['$root as a resource', { resources: { $root: {} } }, ['resources["$root"]: LavaMoat\'s spelling of "$root$"']],
    ['$root as a package', { resources: { a: { packages: { $root: true } } } }, ['resources["a"].packages["$root"]: LavaMoat\'s spelling of "$root$"']],
    ['per-package fields', { resources: { a: { environment: 'unfrozen', moduleSystem: 'esm', type: 'js' } } }, ['resources["a"].environment: a LavaMoat field', 'resources["a"].moduleSystem: a LavaMoat field', 'resources["a"].type: a LavaMoat field']],
    ['top-level fields', { resources: {}, moduleShims: {}, nativeModuleOverride: {}, packageOverrides: {}, resolutions: {}, root: {}, include: [] }, ['moduleShims: a LavaMoat field', 'nativeModuleOverride: a LavaMoat field', 'packageOverrides: a LavaMoat field', 'resolutions: a LavaMoat field', 'root: a LavaMoat field', 'include: a LavaMoat field']],
    ['"require" under builtin', { resources: { a: { builtin: { require: true } } } }, ['resources["a"].builtin["require"]: a LavaMoat builtin form']],
    ['read and redefine', { resources: { a: { globals: { x: 'read', y: 'redefine' } } } }, ['resources["a"].globals["x"]: LavaMoat\'s "read"', 'resources["a"].globals["y"]: LavaMoat\'s "redefine"']],
  ])('findLavaMoatFeatures: %s', (_name, value, expected) => {
    expect(findLavaMoatFeatures(value)).toEqual(expected);
  });
});

describe('converting LavaMoat policies', () => {
  it('maps what has an equivalent to the hand-written expected policy', () => {
    const { policy } = convertLavaMoatPolicy(read(fixture('newer-policy.json')), 'newer-policy.json');
    expect(policy).toEqual(read(fixture('expected-converted.json')));
  });

  it('is lossless for a plain policy: no warnings, same grants', () => {
    const { policy, warnings } = convertLavaMoatPolicy(read(fixture('plain-policy.json')), 'plain-policy.json');
    expect(warnings).toEqual([]);
    expect(policy).toEqual(read(fixture('plain-policy.json')));
  });

  it('names everything it drops or changes, and why', () => {
    const { warnings } = convertLavaMoatPolicy(read(fixture('newer-policy.json')), 'newer-policy.json');
    expect(warnings).toEqual([
      'moduleShims: dropped (sandbox-bundle does not replace modules; use a bundler alias)',
      'nativeModuleOverride: dropped (native addons are granted per package with "native": true)',
      'packageOverrides: dropped (put what you need from it in policy-override.json by hand)',
      'resources["debug"].environment ("unfrozen"): dropped (every package runs in its own compartment after lockdown; a package that must change shared intrinsics goes in beforeLockdown (--before-lockdown))',
      'resources["debug"].moduleSystem ("commonjs"): dropped (the bundler reads each module\'s format from its code)',
      'resources["debug"].type ("js"): dropped (the bundler reads each module\'s format from its code)',
      'resources["debug"].builtin["require"]: dropped ("require" is not a Node.js builtin: every package gets its own scoped require, and what it may load is decided by builtin and packages)',
      'resources["debug"].globals["Error.prepareStackTrace"]: "redefine" became "write": the package may assign it but not redefine it with Object.defineProperty',
    ]);
  });

  it.each<[string, unknown, RegExp]>([
    ['not a policy', [], /is not a LavaMoat policy: expected an object with a "resources" object/],
    ['an unknown builtin', { resources: { a: { builtin: { nosuchmodule: true } } } }, /resources\["a"\]\.builtin\["nosuchmodule"\]: unknown builtin "nosuchmodule"/],
    ['a bad package name', { resources: { 'Bad Name': {} } }, /expected each key to be a canonical package name/],
  ])('refuses %s', (_name, value, pattern) => {
    expect(() => convertLavaMoatPolicy(value, 'x.json')).toThrow(pattern);
  });

  it('sandbox-bundle policy --from-lavamoat writes the converted policy and lists what it dropped', () => {
    const out = path.join(work, 'converted', 'sandbox-policy.json');
    const result = run(['policy', '--from-lavamoat', fixture('newer-policy.json'), '-o', out]);
    expect(result.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(fixture('expected-converted.json'), 'utf8'));
    expect(result.stderr).toContain('sandbox-bundle: warning: packageOverrides: dropped');
    expect(result.stderr).toMatch(/wrote .*sandbox-policy\.json from .*newer-policy\.json \(4 packages; 8 fields dropped or changed, listed above\)/);
    // The converted file loads as a policy.
    expect(() => loadPolicy(out)).not.toThrow();
  });

  it('refuses to overwrite the LavaMoat file itself', () => {
    const copy = path.join(work, 'lavamoat.json');
    fs.copyFileSync(fixture('plain-policy.json'), copy);
    const result = run(['policy', '--from-lavamoat', copy, '-o', copy]);
    expect(result.code).toBe(2);
    expect(fs.readFileSync(copy, 'utf8')).toBe(fs.readFileSync(fixture('plain-policy.json'), 'utf8'));
  });
});
