// User options -> resolveOptions() -> one frozen object with every default in one place.

import path from 'node:path';
import fs from 'node:fs';
import { SandboxError } from './errors.js';
import type { PolicyFile } from './policy/types.js';

export type OutputFormat = 'cjs' | 'esm';
/** enforce: denials throw. warn: violations are allowed and reported once. record: everything allowed, every use recorded. */
export type SandboxMode = 'enforce' | 'warn' | 'record';

/** ses lockdown options we pass explicitly (ses would otherwise read LOCKDOWN_* at run time). */
export interface LockdownOptions {
  errorTaming: 'safe' | 'unsafe' | 'unsafe-debug';
  overrideTaming: 'min' | 'moderate' | 'severe';
  stackFiltering: 'concise' | 'omit-frames' | 'shorten-paths' | 'verbose';
  consoleTaming: 'safe' | 'unsafe';
  localeTaming: 'safe' | 'unsafe';
  domainTaming: 'safe' | 'unsafe';
  regExpTaming: 'safe' | 'unsafe';
  evalTaming: 'safe-eval' | 'unsafe-eval' | 'no-eval';
  errorTrapping: 'platform' | 'none' | 'report' | 'abort' | 'exit';
  unhandledRejectionTrapping: 'none' | 'report';
  reporting: 'platform' | 'console' | 'none';
  legacyRegeneratorRuntimeTaming: 'safe' | 'unsafe-ignore';
}

export interface SandboxOptions {
  /** A policy object, or the path of a policy file (LavaMoat format). Default: `sandbox-policy.json` in `root`. */
  policy?: PolicyFile | string;
  /** Path of an override file merged on top. Default: `policy-override.json` next to the policy file, if present. */
  policyOverride?: string;
  /** The app's directory (its package.json is the root package). Default: the nearest package.json above the entry, else cwd. */
  root?: string;
  /** Output format; default from the outfile's extension and the nearest package.json `type`. */
  format?: OutputFormat;
  /** Module specifiers (polyfills that patch intrinsics) loaded unsandboxed, in order, before lockdown. */
  beforeLockdown?: string[];
  /** Overrides of the measured lockdown defaults. */
  lockdown?: Partial<LockdownOptions>;
  /** Default 'enforce'. */
  mode?: SandboxMode;
  /**
   * warn: a JSON Lines file the bundle appends reports to (default: stderr).
   * record: the policy file the bundle merges what it used into (default: sandbox-record.json in the working directory).
   * Relative paths resolve against the working directory of the running bundle.
   */
  monitorFile?: string;
  /**
   * Directory of the module-facts cache (parse results keyed by content hash), or false for none.
   * Default: `node_modules/.cache/sandbox-bundle` in `root` when `root` has a node_modules directory.
   */
  cache?: string | false;
  /**
   * Seal the prototypes of Node's own classes (EventEmitter, streams, sockets, http messages), so a
   * package handed any instance cannot replace their methods for every package. Default true.
   * false trades that protection for throughput (measured: express and fastify routes 15-19% faster).
   */
  sealNodePrototypes?: boolean;
}

export interface ResolvedOptions {
  readonly root: string;
  readonly policy: PolicyFile | string;
  readonly policyOverride: string | undefined;
  readonly format: OutputFormat | undefined;
  readonly beforeLockdown: readonly string[];
  readonly lockdown: Readonly<LockdownOptions>;
  readonly mode: SandboxMode;
  readonly monitorFile: string | undefined;
  readonly cacheDir: string | undefined;
  readonly sealNodePrototypes: boolean;
}

/**
 * Defaults chosen by measurement (DESIGN sections 2 and 5): 'moderate' override taming keeps
 * more packages working than 'min' at ~+9% on object-heavy code ('severe' costs ~+40%);
 * errors keep their stacks and crash the process as under plain node; nothing is printed by
 * lockdown itself.
 */
export const DEFAULT_LOCKDOWN: Readonly<LockdownOptions> = Object.freeze({
  errorTaming: 'unsafe',
  overrideTaming: 'moderate',
  stackFiltering: 'verbose',
  consoleTaming: 'unsafe',
  localeTaming: 'unsafe',
  domainTaming: 'unsafe',
  regExpTaming: 'safe',
  evalTaming: 'safe-eval',
  errorTrapping: 'none',
  unhandledRejectionTrapping: 'none',
  reporting: 'none',
  legacyRegeneratorRuntimeTaming: 'safe',
});

const LOCKDOWN_CHOICES: Record<keyof LockdownOptions, readonly string[]> = {
  errorTaming: ['safe', 'unsafe', 'unsafe-debug'],
  overrideTaming: ['min', 'moderate', 'severe'],
  stackFiltering: ['concise', 'omit-frames', 'shorten-paths', 'verbose'],
  consoleTaming: ['safe', 'unsafe'],
  localeTaming: ['safe', 'unsafe'],
  domainTaming: ['safe', 'unsafe'],
  regExpTaming: ['safe', 'unsafe'],
  evalTaming: ['safe-eval', 'unsafe-eval', 'no-eval'],
  errorTrapping: ['platform', 'none', 'report', 'abort', 'exit'],
  unhandledRejectionTrapping: ['none', 'report'],
  reporting: ['platform', 'console', 'none'],
  legacyRegeneratorRuntimeTaming: ['safe', 'unsafe-ignore'],
};

/** The directory of the nearest package.json at or above `dir`, or undefined. */
export function findPackageRoot(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, 'package.json'))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

/** cjs or esm for an output file: `.cjs`/`.mjs` decide, else the nearest package.json `type`. */
export function inferFormat(outfile: string): OutputFormat {
  if (outfile.endsWith('.cjs')) return 'cjs';
  if (outfile.endsWith('.mjs')) return 'esm';
  const root = findPackageRoot(path.dirname(path.resolve(outfile)));
  if (!root) return 'cjs';
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).type === 'module' ? 'esm' : 'cjs';
  } catch {
    return 'cjs';
  }
}

/** node_modules/.cache/<tool>, the convention bundlers and linters share; none for an app without node_modules. */
function defaultCacheDir(root: string): string | undefined {
  const modules = path.join(root, 'node_modules');
  return fs.existsSync(modules) ? path.join(modules, '.cache', 'sandbox-bundle') : undefined;
}

export function resolveOptions(options: SandboxOptions = {}, context: { entry?: string; cwd?: string } = {}): ResolvedOptions {
  const cwd = context.cwd ?? process.cwd();
  const problems: string[] = [];
  const lockdown: LockdownOptions = { ...DEFAULT_LOCKDOWN };
  for (const [key, value] of Object.entries(options.lockdown ?? {})) {
    const choices = LOCKDOWN_CHOICES[key as keyof LockdownOptions];
    if (!choices) problems.push(`lockdown.${key}: unknown lockdown option; known options are ${Object.keys(LOCKDOWN_CHOICES).join(', ')}`);
    else if (!choices.includes(value as string)) problems.push(`lockdown.${key}: expected one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${JSON.stringify(value)}`);
    else (lockdown as unknown as Record<string, string>)[key] = value as string;
  }
  if (options.format !== undefined && options.format !== 'cjs' && options.format !== 'esm') {
    problems.push(`format: expected "cjs" or "esm", got ${JSON.stringify(options.format)}`);
  }
  if (options.mode !== undefined && !['enforce', 'warn', 'record'].includes(options.mode)) {
    problems.push(`mode: expected "enforce", "warn" or "record", got ${JSON.stringify(options.mode)}`);
  }
  if (options.beforeLockdown !== undefined && (!Array.isArray(options.beforeLockdown) || options.beforeLockdown.some((s) => typeof s !== 'string'))) {
    problems.push('beforeLockdown: expected an array of module specifiers');
  }
  if (options.cache !== undefined && options.cache !== false && typeof options.cache !== 'string') {
    problems.push(`cache: expected a directory path or false, got ${JSON.stringify(options.cache)}`);
  }
  if (options.sealNodePrototypes !== undefined && typeof options.sealNodePrototypes !== 'boolean') {
    problems.push(`sealNodePrototypes: expected true or false, got ${JSON.stringify(options.sealNodePrototypes)}`);
  }
  if (problems.length > 0) {
    throw new SandboxError('SB_OPTIONS_INVALID', `sandbox-bundle: invalid options (${problems.length} problem${problems.length > 1 ? 's' : ''}). Fix them in the plugin options or CLI flags:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
  }
  const root = path.resolve(cwd, options.root ?? (context.entry ? findPackageRoot(path.dirname(path.resolve(cwd, context.entry))) ?? cwd : cwd));
  const policy = typeof options.policy === 'string' || options.policy === undefined ? path.resolve(cwd, options.policy ?? path.join(root, 'sandbox-policy.json')) : options.policy;
  return Object.freeze({
    root,
    policy,
    policyOverride: options.policyOverride ? path.resolve(cwd, options.policyOverride) : undefined,
    format: options.format,
    beforeLockdown: Object.freeze([...(options.beforeLockdown ?? [])]),
    lockdown: Object.freeze(lockdown),
    mode: options.mode ?? 'enforce',
    monitorFile: options.monitorFile,
    cacheDir: options.cache === false ? undefined : options.cache !== undefined ? path.resolve(cwd, options.cache) : defaultCacheDir(root),
    sealNodePrototypes: options.sealNodePrototypes ?? true,
  });
}
