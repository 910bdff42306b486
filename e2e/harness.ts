// The e2e harness: finds fixture scenarios, builds apps with the sandbox-bundle CLI, runs files with node.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUNDLERS = ['esbuild', 'rollup'] as const;
export type Bundler = (typeof BUNDLERS)[number];
export type Format = 'cjs' | 'esm';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FIXTURES_DIR = path.join(REPO_ROOT, 'e2e', 'fixtures');
/** Build outputs (git-ignored); never inside fixtures. */
export const OUT_DIR = path.join(REPO_ROOT, '.e2e-out');
const CLI = path.join(REPO_ROOT, 'bin', 'sandbox-bundle.js');

/** A build refusal that counts as blocking the attack, when the CLI's stderr says so. */
export interface BuildErrorAllowance {
  reason: string;
  /** Regular expression (flags "is") the CLI's stderr must match. */
  stderrMatches: string;
  /** Regular expression (flags "is") the CLI's stderr must not match: a bundler's own error is not a sandbox refusal. */
  stderrNotMatches?: string;
}

/** `e2e/fixtures/<name>/_scenario.json`, with defaults filled in. */
export interface Scenario {
  name: string;
  dir: string;
  description: string;
  designRef: string;
  entry: string;
  /** The app's `legit` report value, expected from every sandboxed run. */
  legit: unknown;
  /** Every key the app's `attacks` report must have. */
  attacks: string[];
  escapesUnderPlainNode: boolean;
  /** Attacks that exist only in bundles (e.g. a free `require` in ESM); under plain node they are expected blocked. */
  plainNodeBlocked: Record<string, string>;
  bundlers: Bundler[];
  skipReason: Partial<Record<Bundler, string>>;
  formats: Format[];
  /** Per attack, a regular expression its "blocked: ..." text must match (e.g. the denial code). */
  blockedMatch: Record<string, string>;
  buildErrorAllowed?: BuildErrorAllowance;
  /** Lines the sandboxed run's stdout must contain (output the app must not lose). */
  stdoutIncludes: string[];
  /** Extra environment for both the plain and the sandboxed run. */
  env: Record<string, string>;
  /** Benign scenarios also check that the sandbox prints nothing of its own on stderr. */
  benign: boolean;
  /**
   * Bundlers whose bundle (and chunks) must be pure ASCII: esbuild escapes strings and drops comments,
   * and the wrapper escapes the regexp literals esbuild leaves. (Rollup keeps strings and comments as written.)
   */
  asciiBundleWith: Bundler[];
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The parsed last stdout line, or null when it is not JSON. */
  report: { legit: unknown; attacks: Record<string, string> } | null;
}

/** The CLI failed; `stderr` is what it printed. */
export class BuildError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'BuildError';
  }
}

/** Bundlers to run, from SB_E2E_BUNDLERS (comma list; default all). */
export function selectedBundlers(value = process.env.SB_E2E_BUNDLERS): Bundler[] {
  if (value === undefined || value.trim() === '') return [...BUNDLERS];
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!(BUNDLERS as readonly string[]).includes(name)) {
      throw new Error(`SB_E2E_BUNDLERS: unknown bundler "${name}"; expected a comma list of ${BUNDLERS.join(', ')}`);
    }
  }
  return names as Bundler[];
}

function readScenario(name: string): Scenario {
  const dir = path.join(FIXTURES_DIR, name);
  const file = path.join(dir, '_scenario.json');
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  for (const key of ['description', 'designRef', 'entry', 'attacks', 'escapesUnderPlainNode']) {
    if (!(key in raw)) throw new Error(`${file}: missing "${key}"`);
  }
  if (!('legit' in raw)) throw new Error(`${file}: missing "legit"`);
  const bundlers: Bundler[] = raw.bundlers ?? [...BUNDLERS];
  const skipReason = raw.skipReason ?? {};
  for (const bundler of BUNDLERS) {
    if (!bundlers.includes(bundler) && !skipReason[bundler]) {
      throw new Error(`${file}: bundler "${bundler}" is excluded without a skipReason`);
    }
  }
  return {
    name,
    dir,
    description: raw.description,
    designRef: raw.designRef,
    entry: raw.entry,
    legit: raw.legit,
    attacks: raw.attacks,
    escapesUnderPlainNode: raw.escapesUnderPlainNode,
    plainNodeBlocked: raw.plainNodeBlocked ?? {},
    bundlers,
    skipReason,
    formats: raw.formats ?? ['cjs'],
    blockedMatch: raw.blockedMatch ?? {},
    buildErrorAllowed: raw.buildErrorAllowed,
    stdoutIncludes: raw.stdoutIncludes ?? [],
    env: raw.env ?? {},
    benign: raw.benign ?? false,
    asciiBundleWith: raw.asciiBundleWith ?? [],
  };
}

/** Every fixture folder with a `_scenario.json`, sorted by name. */
export function listScenarios(): Scenario[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(FIXTURES_DIR, entry.name, '_scenario.json')))
    .map((entry) => readScenario(entry.name))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The child environment: ours plus `extra`, without knobs that would change what runs. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SB_E2E_MODE: 'e2e', ...extra };
  delete env.NODE_OPTIONS;
  // A built artifact must not depend on ses reading LOCKDOWN_* at run time (DESIGN 5).
  for (const key of Object.keys(env)) if (key.startsWith('LOCKDOWN_')) delete env[key];
  return env;
}

interface SpawnResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function spawnNode(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n[e2e harness] killed after ${timeoutMs} ms`;
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface BuildOptions {
  format?: Format;
  /** App folder (default: the fixture folder). */
  appDir?: string;
  /** Entry relative to the app folder (default: the scenario's entry). */
  entry?: string;
  /** Policy file (default: sandbox-policy.json in the app folder). */
  policy?: string;
  /** Name of the output folder under OUT_DIR (default: the fixture name). */
  outName?: string;
  /**
   * esbuild only: build twice with a fresh cache directory and return the second bundle. The first
   * build wraps the modules into the cache's tree, the second reuses the tree and must give the same
   * bytes (src/transform/wrapped-tree.ts), so the suite checks what a rebuild links. Without it,
   * esbuild builds with --no-cache: every module goes through the plugin's hooks.
   */
  reuseTree?: boolean;
  timeoutMs?: number;
}

/** Builds one app with the CLI (cwd = repo root, absolute paths); returns the outfile or throws BuildError. */
export async function buildApp(appDir: string, entry: string, bundler: Bundler, options: BuildOptions = {}): Promise<string> {
  const format = options.format ?? 'cjs';
  const outDir = path.join(OUT_DIR, options.outName ?? path.basename(appDir));
  mkdirSync(outDir, { recursive: true });
  const stem = `${bundler}-${format}${options.reuseTree ? '-tree' : ''}`;
  const outfile = path.join(outDir, `${stem}.${format === 'esm' ? 'mjs' : 'cjs'}`);
  // Earlier outputs of this build (rollup writes content-hashed chunks beside the outfile) go first,
  // so a run never picks up a stale file.
  for (const name of readdirSync(outDir)) if (name.startsWith(`${stem}.`)) rmSync(path.join(outDir, name), { force: true, recursive: true });
  const policy = options.policy ?? path.join(appDir, 'sandbox-policy.json');
  const args = [CLI, 'build', path.join(appDir, entry), '-o', outfile, '--policy', policy, '--bundler', bundler, '--format', format];
  const cacheDir = path.join(outDir, `cache-${stem}`);
  if (options.reuseTree) rmSync(cacheDir, { recursive: true, force: true });
  const cacheArgs = options.reuseTree ? ['--cache-dir', cacheDir] : bundler === 'esbuild' ? ['--no-cache'] : [];
  const builds = options.reuseTree ? 2 : 1;
  let firstBundle: string | undefined;
  for (let build = 1; build <= builds; build++) {
    const result = await spawnNode([...args, ...cacheArgs], REPO_ROOT, childEnv(), options.timeoutMs ?? 50_000);
    if (result.code !== 0) {
      throw new BuildError(
        `sandbox-bundle build failed (exit ${result.code ?? result.signal}) for ${path.relative(REPO_ROOT, appDir)} with ${bundler}/${format}${options.reuseTree ? ` (build ${build} of ${builds})` : ''}:\n${result.stderr}`,
        result.code,
        result.stderr,
      );
    }
    if (!existsSync(outfile)) throw new BuildError(`the CLI exited 0 but wrote no ${outfile}:\n${result.stderr}`, 0, result.stderr);
    if (options.reuseTree && build === 1) firstBundle = readFileSync(outfile, 'utf8');
  }
  if (options.reuseTree) {
    const bundle = readFileSync(outfile, 'utf8');
    if (!bundle.includes(`${path.basename(cacheDir)}/wrapped/`)) throw new Error(`${outfile}: the build did not link the wrapped tree in ${cacheDir}`);
    if (bundle !== firstBundle) throw new Error(`${outfile}: the build that reused the wrapped tree gave other bytes than the build that wrote it`);
  }
  return outfile;
}

/** Builds fixture `name` with `bundler`; returns the outfile or throws BuildError with the CLI's stderr. */
export async function buildFixture(name: string, bundler: Bundler, options: BuildOptions = {}): Promise<string> {
  const appDir = options.appDir ?? path.join(FIXTURES_DIR, name);
  const entry = options.entry ?? readScenario(name).entry;
  return buildApp(appDir, entry, bundler, { outName: name, ...options, appDir });
}

export interface RunOptions {
  /** Working directory (default: the file's folder). */
  cwd?: string;
  env?: Record<string, string>;
  args?: string[];
  timeoutMs?: number;
}

function parseReport(stdout: string): RunResult['report'] {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  const last = lines[lines.length - 1];
  if (last === undefined) return null;
  try {
    const parsed = JSON.parse(last);
    return parsed && typeof parsed === 'object' && 'attacks' in parsed ? parsed : null;
  } catch {
    return null;
  }
}

/** Runs `file` with this node; `report` is its parsed last stdout line. */
export async function runNode(file: string, options: RunOptions = {}): Promise<RunResult> {
  const result = await spawnNode([file, ...(options.args ?? [])], options.cwd ?? path.dirname(file), childEnv(options.env), options.timeoutMs ?? 30_000);
  return { ...result, report: parseReport(result.stdout) };
}

/** Words the sandbox's own machinery prints (ses warnings, lockdown notices); benign runs must show none. */
export const SANDBOX_CHATTER = /lockdown|\bSES(?:\b|_)/i;

/** A short stderr excerpt for assertion messages. */
export function excerpt(text: string, max = 1500): string {
  return text.length > max ? `${text.slice(0, max)}\n[... ${text.length - max} more characters]` : text;
}
