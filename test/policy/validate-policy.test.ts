// Tests for assertPolicy: what passes, and the exact problem line each kind of mistake produces.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { assertPolicy } from '../../src/policy/index.js';
import { compilePolicyValidator, loadPrecompiled } from '../../src/policy/validate-policy.js';
import { SandboxError } from '../../src/errors.js';
import { scratchDir } from '../scratch.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

function problemsOf(value: unknown): readonly string[] {
  try {
    assertPolicy(value, 'sandbox-policy.json');
  } catch (error) {
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as SandboxError).code).toBe('SB_POLICY_INVALID');
    return (error as SandboxError).problems;
  }
  throw new Error('expected the policy to be rejected');
}

const PACKAGE_NAME = 'a canonical package name (npm names joined by ">", e.g. "a>@scope/b") or "$root$"';

describe('assertPolicy accepts', () => {
  it.each([
    ['a LavaMoat policy for node', fixture('lavamoat-node.json')],
    ['no resources', { resources: {} }],
    ['an empty package entry', { resources: { 'left-pad': {} } }],
    ['the root package', { resources: { $root$: { packages: { 'left-pad': true } } } }],
    ['scoped names in a chain', { resources: { 'a>@scope/b>c.js': { packages: { 'a>@scope/b>@x/y': 'write' } } } }],
    ['legacy upper-case npm names', { resources: { JSONStream: { globals: { Buffer: true } } } }],
    ['"write" and false on globals', { resources: { a: { globals: { _bitcore: 'write', $: false, 'process.env.HOME': true } } } }],
    ['node: builtins, sub-modules and members', { resources: { a: { builtin: { 'node:fs': true, 'fs/promises.readFile': true, 'node:test': true, 'buffer.Buffer.prototype.equals': false } } } }],
    ['the same builtin spelled twice with one grant', { resources: { a: { builtin: { 'node:fs': true, fs: true } } } }],
    ['native', { resources: { a: { native: true }, b: { native: false } } }],
  ])('%s', (_name, policy) => {
    expect(assertPolicy(policy, 'sandbox-policy.json')).toBe(policy);
  });
});

describe('assertPolicy reports', () => {
  it.each([
    ['a number as a global grant', { resources: { 'left-pad': { globals: { fetch: 3 } } } },
      'resources["left-pad"].globals["fetch"]: expected true, false or "write", got 3'],
    ['a string as a global grant', { resources: { 'left-pad': { globals: { fetch: 'yes' } } } },
      'resources["left-pad"].globals["fetch"]: expected true, false or "write", got "yes"'],
    ['null as a global grant', { resources: { a: { globals: { fetch: null } } } },
      'resources["a"].globals["fetch"]: expected true, false or "write", got null'],
    ['"write" on a builtin', { resources: { a: { builtin: { fs: 'write' } } } },
      'resources["a"].builtin["fs"]: expected true or false, got "write"'],
    ['an object as a package grant', { resources: { a: { packages: { b: {} } } } },
      'resources["a"].packages["b"]: expected true, false or "write", got an object'],
    ['an array where a map belongs', { resources: { a: { packages: ['b'] } } },
      'resources["a"].packages: expected an object, got an array'],
    ['a string as native', { resources: { a: { native: 'no' } } },
      'resources["a"].native: expected true or false, got "no"'],
    ['null as a package entry', { resources: { a: null } },
      'resources["a"]: expected an object, got null'],
    ['an unknown package field', { resources: { 'left-pad': { natve: true } } },
      'resources["left-pad"]: unexpected key "natve"; allowed keys are globals, builtin, packages, native'],
    ['an unknown top-level field', { resources: {}, version: 1 },
      'top level: unexpected key "version"; allowed keys are resources'],
    ['no resources', {},
      'top level: missing key "resources"'],
    ['an array as the policy', [],
      'top level: expected an object, got an array'],
    ['a malformed package name', { resources: { 'left pad': {} } },
      `resources: expected each key to be ${PACKAGE_NAME}, got "left pad"`],
    ['an empty segment in a package chain', { resources: { a: { packages: { 'a>>b': true } } } },
      `resources["a"].packages: expected each key to be ${PACKAGE_NAME}, got "a>>b"`],
    ['LavaMoat\'s old root spelling', { resources: { $root: {} } },
      `resources: expected each key to be ${PACKAGE_NAME}, got "$root"`],
    ['a malformed global path', { resources: { a: { globals: { 'process..env': true } } } },
      'resources["a"].globals: expected each key to be a dotted global path such as "process.env", got "process..env"'],
    ['a malformed builtin path', { resources: { a: { builtin: { 'fs readFile': true } } } },
      'resources["a"].builtin: expected each key to be a dotted builtin path such as "fs.readFile" or "node:fs.readFile", got "fs readFile"'],
    ['an unknown builtin', { resources: { a: { builtin: { 'fss.readFile': true } } } },
      'resources["a"].builtin["fss.readFile"]: unknown builtin "fss"; expected a Node.js builtin module such as "fs" or "node:fs"'],
    ['an unknown node: builtin', { resources: { a: { builtin: { 'node:fss': false } } } },
      'resources["a"].builtin["node:fss"]: unknown builtin "fss"; expected a Node.js builtin module such as "fs" or "node:fs"'],
    ['a prefix-only builtin without its prefix', { resources: { a: { builtin: { test: true } } } },
      'resources["a"].builtin["test"]: unknown builtin "test"; expected a Node.js builtin module such as "fs" or "node:fs"'],
    ['one builtin spelled twice with different grants', { resources: { a: { builtin: { fs: false, 'node:fs': true } } } },
      'resources["a"].builtin["node:fs"]: names the same builtin as "fs" but grants true where that grants false; keep one of them'],
  ])('%s', (_name, policy, expected) => {
    expect(problemsOf(policy)).toEqual([expected]);
  });

  it('every problem at once, in file order, with a header naming the file', () => {
    let error: SandboxError | undefined;
    try {
      assertPolicy(fixture('invalid-many.json'), 'sandbox-policy.json');
    } catch (caught) {
      error = caught as SandboxError;
    }
    const lines = [
      'top level: unexpected key "version"; allowed keys are resources',
      `resources: expected each key to be ${PACKAGE_NAME}, got "Bad Name!"`,
      'resources["left-pad"]: unexpected key "natve"; allowed keys are globals, builtin, packages, native',
      'resources["left-pad"].globals["fetch"]: expected true, false or "write", got 3',
      'resources["left-pad"].globals["process.env"]: expected true, false or "write", got "yes"',
      'resources["left-pad"].builtin["fss.readFile"]: unknown builtin "fss"; expected a Node.js builtin module such as "fs" or "node:fs"',
      'resources["left-pad"].builtin["fs"]: expected true or false, got "true"',
      'resources["a>b"].packages: expected an object, got an array',
      'resources["a>b"].native: expected true or false, got "no"',
    ];
    expect(error?.code).toBe('SB_POLICY_INVALID');
    expect(error?.problems).toEqual(lines);
    expect(error?.message).toBe(
      'sandbox-bundle: policy "sandbox-policy.json" is invalid (9 problems). Fix these entries, or regenerate the file with sandbox-bundle policy.\n' +
        lines.map((line) => `  - ${line}`).join('\n'),
    );
  });

  it('a single problem in the singular', () => {
    expect(() => assertPolicy({ resources: { a: { native: 1 } } }, 'p.json')).toThrow(
      'sandbox-bundle: policy "p.json" is invalid (1 problem). Fix these entries, or regenerate the file with sandbox-bundle policy.\n' +
        '  - resources["a"].native: expected true or false, got 1',
    );
  });
});

describe('policy.schema.json', () => {
  const schema = JSON.parse(readFileSync(new URL('../../schema/policy.schema.json', import.meta.url), 'utf8'));

  it('is a valid draft-07 schema', () => {
    expect(new Ajv().validateSchema(schema)).toBe(true);
  });

  it('documents every field, since it is user documentation', () => {
    const undocumented: string[] = [];
    const visit = (node: Record<string, any>, where: string) => {
      if (!node.$ref && typeof node.description !== 'string') undocumented.push(where);
      for (const [key, child] of Object.entries<Record<string, any>>(node.properties ?? {})) visit(child, `${where}.properties.${key}`);
      for (const [key, child] of Object.entries<Record<string, any>>(node.definitions ?? {})) visit(child, `${where}.definitions.${key}`);
      if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, `${where}.additionalProperties`);
    };
    visit(schema, '#');
    expect(undocumented).toEqual([]);
  });

  it("is what the build's pre-compiled validator checks, with the same errors as a compile at run time", () => {
    const text = readFileSync(new URL('../../schema/policy.schema.json', import.meta.url), 'utf8');
    // Written by scripts/build.js (npm test builds first); assertPolicy uses it when its hash matches the schema.
    const precompiled = createRequire(import.meta.url)('../../dist/policy-validator.cjs');
    expect(precompiled.schemaHash).toBe(createHash('sha256').update(text).digest('hex'));
    const { validate } = compilePolicyValidator(text);
    const samples = [
      fixture('lavamoat-node.json'),
      { resources: { a: { globals: { x: 5 }, builtin: { 'fs.readFile': 'yes' } }, 'B C': {} }, extra: 1 },
      { resources: { a: { packages: { b: 'read' } } } },
      [],
    ];
    for (const sample of samples) {
      expect(precompiled(sample)).toBe(validate(sample));
      expect(precompiled.errors).toEqual(validate.errors);
    }
  });

  it('is compiled at run time instead when the pre-compiled file is damaged or made from another schema', () => {
    const dir = scratchDir('sb-validator-');
    const damaged = join(dir, 'damaged.cjs');
    writeFileSync(damaged, 'module.exports = (');
    expect(loadPrecompiled(damaged, 'any')).toBeUndefined();
    const stale = join(dir, 'stale.cjs');
    writeFileSync(stale, 'module.exports = () => true;\nmodule.exports.schemaHash = "old";\n');
    expect(loadPrecompiled(stale, 'new')).toBeUndefined();
    expect(loadPrecompiled(stale, 'old')).toBeTypeOf('function');
    expect(loadPrecompiled(join(dir, 'missing.cjs'), 'old')).toBeUndefined();
  });
});
