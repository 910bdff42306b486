// Policy loading: reading policy files from disk, with errors that say which file and where it breaks.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SandboxError, isSandboxError } from '../errors.js';
import type { PolicyFile } from './types.js';
import { assertPolicy } from './validate-policy.js';
import { mergePolicies } from './merge-policy.js';

/** LavaMoat's name for hand edits kept beside a generated policy, so regenerating never loses them. */
export const POLICY_OVERRIDE_FILE_NAME = 'policy-override.json';

/** Reads, parses and validates one policy file. */
export function loadPolicy(file: string): PolicyFile {
  return assertPolicy(readPolicyJson(file), file);
}

/** Reads and parses a policy file without validating it (for conversions), with the same errors as loadPolicy. */
export function readPolicyJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new SandboxError(
        'SB_POLICY_NOT_FOUND',
        `sandbox-bundle: policy file "${file}" does not exist. Create it, or run sandbox-bundle policy to generate one.`,
        { cause },
      );
    }
    throw new SandboxError(
      'SB_POLICY_INVALID',
      `sandbox-bundle: policy file "${file}" could not be read (${code ?? String(cause)}). Check that it is a readable file.`,
      { cause },
    );
  }
  // Editors on Windows may save a byte order mark, which JSON.parse rejects.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new SandboxError('SB_POLICY_INVALID', describeSyntaxError(file, text, cause), { cause });
  }
}

/**
 * Loads `policyFile` and lays `overrideFile` over it. Without `overrideFile`, a `policy-override.json` beside
 * the policy is used if it exists; a named override file must exist.
 */
export function loadPolicyWithOverride(policyFile: string, overrideFile?: string): PolicyFile {
  const policy = loadPolicy(policyFile);
  if (overrideFile !== undefined) return mergePolicies(policy, loadPolicy(overrideFile));
  try {
    return mergePolicies(policy, loadPolicy(join(dirname(policyFile), POLICY_OVERRIDE_FILE_NAME)));
  } catch (error) {
    if (isSandboxError(error) && error.code === 'SB_POLICY_NOT_FOUND') return policy;
    throw error;
  }
}

function describeSyntaxError(file: string, text: string, cause: unknown): string {
  const fix = 'Fix the JSON there, or regenerate the file with sandbox-bundle policy.';
  const found = findJsonSyntaxError(text);
  if (!found) return `sandbox-bundle: policy "${file}" is not valid JSON (${(cause as Error).message}). ${fix}`;
  const before = text.slice(0, found.offset);
  const line = before.split('\n').length;
  const column = found.offset - before.lastIndexOf('\n');
  return `sandbox-bundle: policy "${file}" is not valid JSON at line ${line}, column ${column}: ${found.reason}. ${fix}`;
}

/**
 * Where JSON text first breaks the grammar and why. V8's JSON.parse messages do not always carry a
 * position (Node 20: `Unexpected token '}', "..." is not valid JSON`), so we find it ourselves.
 */
function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const fail = (expected: string): never => {
    const found = i >= text.length ? 'the end of the file' : JSON.stringify(text[i]);
    throw new JsonSyntaxError(i, `expected ${expected}, found ${found}`);
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const parseString = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail('a closing quote');
      const c = text[i];
      if (c === '"') return void i++;
      if (c < ' ') fail('a character escape such as \\n instead of a control character');
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('a hexadecimal digit');
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail('an escape character (one of " \\ / b f n r t u)');
      }
      i++;
    }
  };
  const parseValue = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      skipSpace();
      if (text[i] === close) return void i++;
      for (;;) {
        if (c === '{') {
          skipSpace();
          if (text[i] !== '"') fail('a double-quoted property name');
          parseString();
          skipSpace();
          if (text[i] !== ':') fail('":" after a property name');
          i++;
        }
        parseValue();
        skipSpace();
        if (text[i] === close) return void i++;
        if (text[i] !== ',') fail(`"," or "${close}"`);
        i++;
      }
    }
    if (c === '"') return parseString();
    const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if (number.test(text)) return void (i = number.lastIndex);
    const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, i));
    if (literal) return void (i += literal.length);
    fail('a value');
  };
  try {
    parseValue();
    skipSpace();
    if (i < text.length) fail('the end of the file after the JSON value');
    return undefined;
  } catch (error) {
    // Anything else (a stack overflow on absurd nesting) leaves the position unknown.
    if (error instanceof JsonSyntaxError) return error;
    return undefined;
  }
}

class JsonSyntaxError {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}
