// Tests for loadPolicy and loadPolicyWithOverride: files on disk, missing files, broken JSON, overrides.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy, loadPolicyWithOverride } from '../../src/policy/index.js';
import { SandboxError } from '../../src/errors.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'sandbox-bundle-policy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const writeScratch = (name: string, text: string) => {
  const file = join(scratch, name);
  writeFileSync(file, text);
  return file;
};

function errorOf(load: () => unknown): SandboxError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(SandboxError);
    return error as SandboxError;
  }
  throw new Error('expected loading to fail');
}

describe('loadPolicy', () => {
  it.each(['lavamoat-node.json', 'with-override/policy.json'])('loads %s as written', (name) => {
    expect(loadPolicy(fixture(name))).toEqual(JSON.parse(readFileSync(fixture(name), 'utf8')));
  });

  it('ignores a byte order mark', () => {
    expect(loadPolicy(fixture('bom.json'))).toEqual({ resources: { $root$: { native: false } } });
  });

  it('says a missing file does not exist, and how to get one', () => {
    const file = join(scratch, 'nope', 'sandbox-policy.json');
    const error = errorOf(() => loadPolicy(file));
    expect(error.code).toBe('SB_POLICY_NOT_FOUND');
    expect(error.message).toBe(
      `sandbox-bundle: policy file "${file}" does not exist. Create it, or run sandbox-bundle policy to generate one.`,
    );
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('says a folder could not be read', () => {
    const error = errorOf(() => loadPolicy(scratch));
    expect(error.code).toBe('SB_POLICY_INVALID');
    expect(error.message).toContain(`policy file "${scratch}" could not be read (EISDIR)`);
  });

  it('names the file, line and column of a JSON syntax error', () => {
    const file = fixture('bad-syntax.json');
    const error = errorOf(() => loadPolicy(file));
    expect(error.code).toBe('SB_POLICY_INVALID');
    expect(error.message).toBe(
      `sandbox-bundle: policy "${file}" is not valid JSON at line 6, column 7: expected a double-quoted property name, found "}". ` +
        'Fix the JSON there, or regenerate the file with sandbox-bundle policy.',
    );
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it.each([
    ['an empty file', '', 'line 1, column 1: expected a value, found the end of the file'],
    ['a truncated file', '{"resources": {', 'line 1, column 16: expected a double-quoted property name, found the end of the file'],
    ['single quotes', "{'resources': {}}", `line 1, column 2: expected a double-quoted property name, found "'"`],
    ['a missing colon', '{\n  "resources" {}\n}', 'line 2, column 15: expected ":" after a property name, found "{"'],
    ['a missing comma', '{"resources": {"a": {"native": true "globals": {}}}}', 'line 1, column 37: expected "," or "}", found "\\""'],
    ['a bare word', '{"resources": {"a": {"native": yes}}}', 'line 1, column 32: expected a value, found "y"'],
    ['a comment', '{\r\n  // generated\r\n  "resources": {}\r\n}', 'line 2, column 3: expected a double-quoted property name, found "/"'],
    ['a raw tab in a string', '{"resources": {"a\tb": {}}}', 'line 1, column 18: expected a character escape such as \\n instead of a control character, found "\\t"'],
    ['text after the value', '{"resources": {}} x', 'line 1, column 19: expected the end of the file after the JSON value, found "x"'],
  ])('%s', (_name, text, where) => {
    const file = writeScratch('broken.json', text);
    const error = errorOf(() => loadPolicy(file));
    expect(error.code).toBe('SB_POLICY_INVALID');
    expect(error.message).toBe(
      `sandbox-bundle: policy "${file}" is not valid JSON at ${where}. Fix the JSON there, or regenerate the file with sandbox-bundle policy.`,
    );
  });

  it('validates what it parsed, naming the file', () => {
    const file = writeScratch('invalid.json', '{"resources": {"a": {"globals": {"fetch": 3}}}}');
    const error = errorOf(() => loadPolicy(file));
    expect(error.code).toBe('SB_POLICY_INVALID');
    expect(error.message).toContain(`policy "${file}" is invalid (1 problem)`);
    expect(error.problems).toEqual(['resources["a"].globals["fetch"]: expected true, false or "write", got 3']);
  });
});

describe('loadPolicyWithOverride', () => {
  it('merges policy-override.json found beside the policy', () => {
    expect(loadPolicyWithOverride(fixture('with-override/policy.json'))).toEqual({
      resources: {
        'added-by-hand': { packages: { 'added-by-hand>dep': true } },
        'left-pad': {
          globals: { console: true, fetch: false },
          builtin: { 'fs.readFile': false, 'path.join': true },
          native: false,
        },
        untouched: { globals: { setTimeout: true } },
      },
    });
  });

  it('returns the policy alone when no override is beside it', () => {
    const file = fixture('without-override/policy.json');
    expect(loadPolicyWithOverride(file)).toEqual(loadPolicy(file));
  });

  it('uses a named override instead of the one beside the policy', () => {
    const merged = loadPolicyWithOverride(fixture('with-override/policy.json'), fixture('with-override/other-override.json'));
    expect(merged.resources.untouched).toEqual({ globals: { setTimeout: false } });
    expect(merged.resources['left-pad'].globals).toEqual({ console: true, fetch: true });
    expect(merged.resources['added-by-hand']).toBeUndefined();
  });

  it('requires a named override to exist', () => {
    const missing = join(scratch, 'missing-override.json');
    const error = errorOf(() => loadPolicyWithOverride(fixture('without-override/policy.json'), missing));
    expect(error.code).toBe('SB_POLICY_NOT_FOUND');
    expect(error.message).toContain(`"${missing}"`);
  });

  it('reports an invalid override under its own name', () => {
    const override = writeScratch('bad-override.json', '{"resources": {"a": {"native": "yes"}}}');
    const error = errorOf(() => loadPolicyWithOverride(fixture('without-override/policy.json'), override));
    expect(error.message).toContain(`policy "${override}" is invalid`);
  });
});
