// Policy validation: the JSON Schema check plus the checks a schema cannot express, reported all at once.
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv as AjvClass, ErrorObject, Options as AjvOptions, ValidateFunction } from 'ajv';
import { SandboxError } from '../errors.js';
import type { PolicyFile } from './types.js';
import { normalizeBuiltinName } from './resolve-runtime-policy.js';
import { findLavaMoatFeatures } from './lavamoat-features.js';

/** One thing wrong with a policy: where (key path segments) and what, as text for a person. */
interface Problem {
  path: string[];
  text: string;
}

interface PolicySchema {
  definitions: { builtinPath: { pattern: string } };
}

/** What a key of each map must look like, named by the map's field (the last segment of its path). */
const KEY_EXPECTATIONS: Record<string, string> = {
  resources: 'a canonical package name (npm names joined by ">", e.g. "a>@scope/b") or "$root$"',
  packages: 'a canonical package name (npm names joined by ">", e.g. "a>@scope/b") or "$root$"',
  globals: 'a dotted global path such as "process.env"',
  builtin: 'a dotted builtin path such as "fs.readFile" or "node:fs.readFile"',
};

const TYPE_EXPECTATIONS: Record<string, string> = {
  object: 'an object',
  boolean: 'true or false',
  string: 'a string',
};

let compiled: { validate: ValidateFunction; builtinPath: RegExp } | undefined;

/**
 * Returns `value` typed as a policy, or throws SB_POLICY_INVALID listing every problem, one per line.
 * `source` names the file in the message.
 */
export function assertPolicy(value: unknown, source: string): PolicyFile {
  const { validate, builtinPath } = loadValidator();
  const problems = validate(value) ? [] : (validate.errors ?? []).flatMap(toProblem);
  const reported = new Set(problems.map((problem) => formatPath(problem.path)));
  // Only well-formed keys get the semantic checks: a malformed one already has its problem.
  for (const problem of findBuiltinProblems(value, builtinPath)) {
    if (!reported.has(formatPath(problem.path))) problems.push(problem);
  }
  if (problems.length === 0) return value as PolicyFile;

  // Document order, so a person can fix the file from top to bottom.
  const ordered = problems
    .map((problem) => ({ problem, rank: documentRank(value, problem.path) }))
    .sort((a, b) => compareRanks(a.rank, b.rank))
    .map(({ problem }) => `${formatPath(problem.path)}: ${problem.text}`);
  const count = `${ordered.length} problem${ordered.length === 1 ? '' : 's'}`;
  // A newer LavaMoat file fails on fields that are not mistakes: the fix is converting it, not editing each entry.
  const header =
    findLavaMoatFeatures(value).length > 0
      ? `sandbox-bundle: policy "${source}" is a LavaMoat policy with fields sandbox-bundle does not read as written (${count}). ` +
        `Convert it once with: sandbox-bundle policy --from-lavamoat ${JSON.stringify(source)} -o sandbox-policy.json (it maps what has an equivalent and names what it drops).`
      : `sandbox-bundle: policy "${source}" is invalid (${count}). Fix these entries, or regenerate the file with sandbox-bundle policy.`;
  throw new SandboxError('SB_POLICY_INVALID', `${header}\n${ordered.map((line) => `  - ${line}`).join('\n')}`, { problems: ordered });
}

/** How the schema is compiled; the build's pre-compiled validator (dist/policy-validator.cjs) uses the same. */
// verbose: errors then carry the offending data and the schema around it, which the messages quote.
const AJV_OPTIONS: AjvOptions = { allErrors: true, verbose: true };

/** Where the build writes the pre-compiled validator, under the package root (the folder holding schema/). */
const PRECOMPILED_VALIDATOR = join('dist', 'policy-validator.cjs');

const require = createRequire(import.meta.url);
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The package root and the schema's text. The schema is found by walking up, because built code
 * lands deeper (dist/src/policy).
 */
function readSchema(): { root: string; text: string } {
  const start = dirname(fileURLToPath(import.meta.url));
  let dir = start;
  while (!existsSync(join(dir, 'schema', 'policy.schema.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new SandboxError(
        'SB_BUILD_FAILED',
        `sandbox-bundle: cannot find schema/policy.schema.json in "${start}" or any folder above it. Reinstall sandbox-bundle.`,
      );
    }
    dir = parent;
  }
  return { root: dir, text: readFileSync(join(dir, 'schema', 'policy.schema.json'), 'utf8') };
}

/** Compiles the schema with Ajv (~40-120 ms, and ~40 ms to load Ajv): what the pre-compiled validator saves each build. */
export function compilePolicyValidator(schemaText: string): { ajv: AjvClass; validate: ValidateFunction } {
  // Loaded only here: a build with the pre-compiled validator never needs Ajv.
  const { Ajv } = require('ajv') as typeof import('ajv');
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  return { ajv, validate: ajv.compile(JSON.parse(schemaText)) };
}

/**
 * The source of dist/policy-validator.cjs (scripts/build.js writes it): Ajv's standalone code for
 * the schema, stamped with the schema's hash so that a stale file is never used.
 */
export function precompiledValidatorSource(schemaText: string): string {
  const { ajv, validate } = compilePolicyValidator(schemaText);
  const standaloneCode = require('ajv/dist/standalone').default as (ajv: AjvClass, validate: ValidateFunction) => string;
  return `${standaloneCode(ajv, validate)}\nmodule.exports.schemaHash = ${JSON.stringify(hashOf(schemaText))};\n`;
}

/** The build's validator if it is there, loads, and was made from this schema; else undefined (compile instead). */
export function loadPrecompiled(file: string, schemaHash: string): ValidateFunction | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const loaded = require(file) as ValidateFunction & { schemaHash?: string };
    return loaded.schemaHash === schemaHash ? loaded : undefined;
  } catch {
    // A damaged file (an interrupted build) only costs the compile it was meant to save.
    return undefined;
  }
}

/** The validator, once per process: the build's pre-compiled one when it matches the schema, else compiled now. */
function loadValidator(): NonNullable<typeof compiled> {
  if (compiled) return compiled;
  const { root, text } = readSchema();
  const validate = loadPrecompiled(join(root, PRECOMPILED_VALIDATOR), hashOf(text)) ?? compilePolicyValidator(text).validate;
  const schema = JSON.parse(text) as PolicySchema;
  compiled = { validate, builtinPath: new RegExp(schema.definitions.builtinPath.pattern) };
  return compiled;
}

function toProblem(error: ErrorObject): Problem[] {
  const path = parsePointer(error.instancePath);
  const got = `got ${describeValue(error.data)}`;
  switch (error.keyword) {
    case 'propertyNames':
      return []; // the nested "pattern" error names the key and says more
    case 'pattern': {
      const expected = KEY_EXPECTATIONS[path[path.length - 1]] ?? `a key matching ${error.params.pattern}`;
      return [{ path, text: `expected each key to be ${expected}, got ${JSON.stringify(error.propertyName)}` }];
    }
    case 'additionalProperties': {
      const allowed = Object.keys(error.parentSchema?.properties ?? {}).join(', ');
      return [{ path, text: `unexpected key ${JSON.stringify(error.params.additionalProperty)}; allowed keys are ${allowed}` }];
    }
    case 'required':
      return [{ path, text: `missing key ${JSON.stringify(error.params.missingProperty)}` }];
    case 'type':
      return [{ path, text: `expected ${TYPE_EXPECTATIONS[error.params.type] ?? error.params.type}, ${got}` }];
    case 'enum':
      return [{ path, text: `expected ${formatAlternatives(error.params.allowedValues)}, ${got}` }];
    default:
      return [{ path, text: `${error.message ?? 'is invalid'}, ${got}` }];
  }
}

/** Builtins a schema cannot judge: names node does not know, and one builtin spelled two ways with different grants. */
function findBuiltinProblems(value: unknown, builtinPath: RegExp): Problem[] {
  const problems: Problem[] = [];
  const resources = isRecord(value) ? value.resources : undefined;
  if (!isRecord(resources)) return problems;
  for (const [name, entry] of Object.entries(resources)) {
    const builtin = isRecord(entry) ? entry.builtin : undefined;
    if (!isRecord(builtin)) continue;
    const seen = new Map<string, [key: string, grant: unknown]>();
    for (const [key, grant] of Object.entries(builtin)) {
      if (!builtinPath.test(key)) continue;
      const path = ['resources', name, 'builtin', key];
      // isBuiltin keeps the "node:" prefix so prefix-only modules (node:test) count and bare "test" does not.
      const module = key.split('.')[0];
      if (!isBuiltin(module)) {
        problems.push({ path, text: `unknown builtin ${JSON.stringify(normalizeBuiltinName(module))}; expected a Node.js builtin module such as "fs" or "node:fs"` });
        continue;
      }
      const normalized = normalizeBuiltinName(key);
      const first = seen.get(normalized);
      if (!first) {
        seen.set(normalized, [key, grant]);
      } else if (first[1] !== grant) {
        problems.push({
          path,
          text: `names the same builtin as ${JSON.stringify(first[0])} but grants ${describeValue(grant)} where that grants ${describeValue(first[1])}; keep one of them`,
        });
      }
    }
  }
  return problems;
}

/** JSON pointer ("/resources/a~1b") to segments (["resources", "a/b"]). */
function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Segments to JS notation: `resources["left-pad"].globals["fetch"]`. The file alternates fixed field names
 * (even positions) with user keys (odd positions), so position alone says which notation a segment takes.
 */
function formatPath(path: string[]): string {
  if (path.length === 0) return 'top level';
  return path.map((segment, i) => (i % 2 === 1 ? `[${JSON.stringify(segment)}]` : i === 0 ? segment : `.${segment}`)).join('');
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** [true, false, "write"] -> `true, false or "write"`. */
function formatAlternatives(values: unknown[]): string {
  const words = values.map((value) => JSON.stringify(value));
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** Position of each path segment among its siblings, as written in the file. */
function documentRank(value: unknown, path: string[]): number[] {
  const rank: number[] = [];
  let node = value;
  for (const segment of path) {
    if (!isRecord(node)) break;
    rank.push(Object.keys(node).indexOf(segment));
    node = node[segment];
  }
  return rank;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
