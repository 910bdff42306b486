// `npm run bench`: sandboxed vs plain builds, startup, throughput, CPU loops and sizes on a large real app.
// Every measurement runs in a child process of this one; variants alternate (plain, sandboxed, sandboxed,
// plain, ...) so drift in machine load hits both alike; medians are reported with their spread.
// Writes bench/results/latest.json and prints a Markdown table for the README. See bench/README.md.
//
// Options: --only build,startup,cpu,server  run only these groups (size comes with build)
//          --quick                         1 run each, short loops: a smoke test of the harness, not a measurement
//          --no-rollup                     skip the rollup builds

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from './lib/load.js';
import { LOCKDOWN_ONLY_PRELOAD, lockdownOnlyEnv } from './lib/lockdown-only.js';
import { makePolicy, scanApp } from './make-policy.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = path.join(ROOT, 'bench');
const APP = path.join(BENCH, 'app');
const ENTRY = 'bench/app/index.js';
const POLICY = 'bench/app/sandbox-policy.json';
const TMP = path.join(BENCH, 'results/tmp');
const CLI = path.join(ROOT, 'bin/sandbox-bundle.js');
const VARIANTS = ['plain', 'sandboxed'];

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = flag('--quick');
const ONLY = new Set((option('--only') ?? 'build,startup,cpu,server').split(','));
const WITH_ROLLUP = !flag('--no-rollup');

/** Runs per variant, and loop sizes: calibrated so the whole bench stays under ~15 minutes on 2 cores. */
const PLAN = {
  /** esbuild builds take seconds, rollup's half a minute: esbuild gets more runs for the same noise. */
  buildRuns: { esbuild: QUICK ? 1 : 5, rollup: QUICK ? 1 : 3 },
  /** esbuild first builds (the wrapped tree set aside, then written again): in the first rounds. */
  firstBuildRuns: QUICK ? 1 : 3,
  startupRuns: QUICK ? 1 : 7,
  cpuRuns: QUICK ? 1 : 5,
  serverRuns: QUICK ? 1 : 5,
  serverWarmupMs: QUICK ? 300 : 1000,
  serverMeasureMs: QUICK ? 1000 : 3000,
  serverConnections: 8,
  /** Iterations per CPU loop: ~0.5-1 s each for the plain bundle on the reference machine. */
  cpuLoops: { ajv: QUICK ? 50000 : 500000, marked: QUICK ? 50 : 400, yaml: QUICK ? 20 : 150, zod: QUICK ? 20000 : 200000 },
};

/** Goals from issue 5, as ratios to plain measured in the same run. */
const GOALS = {
  build: { max: 1.5, stretch: 1.2 },
  startup: { max: 1.3 },
  throughput: { min: 0.97 },
  cpu: { min: 0.97 },
  rss: { max: 1.2 },
};

const started = process.hrtime.bigint();
function log(message) {
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(`[bench ${s.toFixed(0).padStart(4)}s] ${message}\n`);
}

/** Spawns a child and resolves with its exit status, output and wall time (ms, spawn to exit). */
function run(command, args, { cwd = ROOT, timeoutMs = 15 * 60_000, env } = {}) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Number(process.hrtime.bigint() - start) / 1e6 });
    });
  });
}

/** The last `BENCH {json}` line a bench child printed, or undefined. */
function benchLine(stdout) {
  const lines = stdout.split('\n').filter((l) => l.startsWith('BENCH '));
  return lines.length ? JSON.parse(lines[lines.length - 1].slice(6)) : undefined;
}

/** The first line of what went wrong in a child, for the table's "not available" reason. */
function failureOf(result) {
  const own = benchLine(result.stdout)?.error;
  if (own) return own;
  const text = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ') && !l.startsWith('BENCH'));
  // Node prints the throwing source line before the error itself: prefer the line that names the error.
  const named = text.find((l) => /^[\w.]*(Error|Exception)\b|^sandbox-bundle:/.test(l));
  return (named ?? text[0] ?? `exit ${result.code ?? result.signal}`).slice(0, 300);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Half the min-max range, relative to the median: a plain spread figure for small samples. */
const spread = (xs) => (xs.length < 2 ? 0 : (Math.max(...xs) - Math.min(...xs)) / 2 / median(xs));
const summarize = (xs) => (xs.length ? { median: median(xs), spread: spread(xs), n: xs.length, samples: xs } : undefined);

/** Runs `measure(variant, i)` alternating variants: pair i runs plain first when i is even, sandboxed first when odd. */
async function alternate(runs, measure, { stopOnFailure = true } = {}) {
  const samples = { plain: [], sandboxed: [] };
  const failures = {};
  for (let i = 0; i < runs; i++) {
    for (const variant of i % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
      if (failures[variant] && stopOnFailure) continue;
      const value = await measure(variant, i);
      if (typeof value === 'number') samples[variant].push(value);
      else failures[variant] ??= value?.error ?? 'no result';
    }
  }
  return { plain: summarize(samples.plain), sandboxed: summarize(samples.sandboxed), failures };
}

// ---------------------------------------------------------------------------------------------- setup

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    timeVerbose: fs.existsSync('/usr/bin/time'),
  };
}

/** `npm ci` for the bench app when its node_modules is missing or older than its lockfile. */
async function ensureAppInstalled() {
  const marker = path.join(APP, 'node_modules/.package-lock.json');
  const lock = path.join(APP, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  log('installing the bench app (npm ci --prefix bench/app) ...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = await run(npm, ['ci', '--prefix', APP, '--no-audit', '--no-fund', '--loglevel=error']);
  if (result.code !== 0) throw new Error(`bench: npm ci in bench/app failed:\n${result.stderr}`);
}

/** Does this CLI have `sandbox-bundle policy`? (Another engineer is adding it.) */
function cliHasPolicyCommand() {
  const result = spawnSync(process.execPath, [CLI, 'policy', '--help'], { cwd: ROOT, encoding: 'utf8' });
  return result.status === 0 && /policy/.test(result.stdout);
}

/** One sandboxed esbuild build and a startup run: does this policy produce a bundle that runs? */
async function smokeTest() {
  const outfile = path.join(TMP, 'sandboxed-esbuild.cjs');
  const build = await run(process.execPath, [path.join(BENCH, 'lib/build-child.js'), JSON.stringify({ variant: 'sandboxed', bundler: 'esbuild', entry: ENTRY, outfile, cwd: ROOT, policy: POLICY })]);
  if (build.code !== 0) return `sandboxed build failed: ${failureOf(build)}`;
  const start = await run(process.execPath, [outfile, 'startup'], { cwd: TMP });
  if (start.code !== 0) return `sandboxed startup failed: ${failureOf(start)}`;
  return undefined;
}

/**
 * Writes bench/app/sandbox-policy.json: from `sandbox-bundle policy` when the CLI has it and the bundle it
 * gives runs, else from bench/make-policy.js. bench/app/policy-override.json is laid over either by the build.
 */
async function preparePolicy(metafile) {
  const tried = [];
  if (cliHasPolicyCommand()) {
    log('generating the policy with sandbox-bundle policy ...');
    const result = await run(process.execPath, [CLI, 'policy', ENTRY, '-o', POLICY]);
    if (result.code === 0) {
      const problem = await smokeTest();
      if (!problem) return { source: 'sandbox-bundle policy (generated) + bench/app/policy-override.json', tried };
      tried.push(`sandbox-bundle policy: ${problem}`);
    } else {
      tried.push(`sandbox-bundle policy: ${failureOf(result)}`);
    }
    log(`  not usable (${tried[tried.length - 1]}); falling back to bench/make-policy.js`);
  } else {
    tried.push('sandbox-bundle policy: not in this CLI yet');
  }
  log('generating the broad stand-in policy with bench/make-policy.js ...');
  const { policy, unparsable } = await makePolicy({ entry: path.join(ROOT, ENTRY), appDir: APP, metafile });
  fs.writeFileSync(path.join(ROOT, POLICY), `${JSON.stringify(policy, null, 2)}\n`);
  for (const line of unparsable) log(`  warning: not analysed: ${line}`);
  const problem = await smokeTest();
  if (problem) tried.push(`bench/make-policy.js: ${problem}`);
  return { source: 'bench/make-policy.js (broad stand-in: every builtin, package and host global a package references, plus process, console, Buffer, timers) + bench/app/policy-override.json', tried, problem };
}

// --------------------------------------------------------------------------------------------- groups

/** The kinds of build measureBuilds times, as the log and the table name them. */
const BUILD_KIND_NAMES = { rebuild: 'rebuild', first: 'first build', cold: 'cold build' };

const bundlePath = (variant, bundler = 'esbuild') => path.join(TMP, `${variant}-${bundler}.cjs`);


/**
 * Trees set aside by setTreeAside, removed when the bench ends. Removing thousands of files right
 * before a measured build would time the file system instead: on an ext4 without a journal (these
 * machines), creating a file costs ~10x more for the ~5 minutes after mass deletions, because the
 * inode allocator skips recently deleted inodes one by one (bench/README.md, "Since 12:00").
 */
const SET_ASIDE = path.join(APP, 'node_modules/.cache/sandbox-bundle-set-aside');

/** Moves the bench app's wrapped trees out of the cache (a rename: nothing is deleted), so the next build writes one. */
function setTreeAside() {
  const wrapped = path.join(APP, 'node_modules/.cache/sandbox-bundle/wrapped');
  if (!fs.existsSync(wrapped)) return;
  fs.mkdirSync(SET_ASIDE, { recursive: true });
  fs.renameSync(wrapped, path.join(SET_ASIDE, `wrapped-${Date.now()}`));
}

/**
 * What creating a file costs on the cache's disk now: 400 files, each in a new directory, as the
 * wrapped tree makes them (kept until the end, see SET_ASIDE). First builds write ~4,100 of them, so
 * this says how much of a first build's time the disk's state may take (bench/README.md, "Since 12:00").
 */
function probeFileCreation() {
  const dir = path.join(SET_ASIDE, `probe-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  const count = 400;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    fs.mkdirSync(path.join(dir, String(i)));
    fs.writeFileSync(path.join(dir, String(i), 'index.js'), 'module.exports = 1;\n');
  }
  return Math.round(((performance.now() - start) * 1000) / count);
}

async function measureBuilds() {
  const results = {};
  for (const bundler of WITH_ROLLUP ? ['esbuild', 'rollup'] : ['esbuild']) {
    const runs = PLAN.buildRuns[bundler];
    log(`builds with ${bundler}: ${runs} runs per variant ...`);
    // Sandboxed builds come in two kinds: cold (cache: false, every module parsed, as a first build or
    // CI without a cache) and warm (the module-facts cache in bench/app/node_modules/.cache, filled by
    // the smoke test's build, as any rebuild). Each alternation runs the cold one just before the warm one.
    const cold = [];
    // CPU time of each build by kind and variant: the node process's and (esbuild) its service's.
    const cpu = {};
    const noteCpu = (kind, variant, cpuMs) => {
      for (const [side, ms] of Object.entries(cpuMs ?? {})) if (typeof ms === 'number') ((cpu[kind] ??= {})[side] ??= { plain: [], sandboxed: [] })[variant].push(ms);
    };
    const buildOnce = async (variant, cache, kind = 'rebuild') => {
      const request = { variant, bundler, entry: ENTRY, outfile: bundlePath(variant, bundler), cwd: ROOT, policy: POLICY, ...(cache === false ? { cache } : {}) };
      const result = await run(process.execPath, [path.join(BENCH, 'lib/build-child.js'), JSON.stringify(request)]);
      const figures = benchLine(result.stdout);
      if (result.code !== 0 || !figures?.ms) return { error: failureOf(result) };
      log(`  ${bundler} ${variant}${kind === 'rebuild' ? '' : ` (${BUILD_KIND_NAMES[kind]})`}: ${(figures.ms / 1000).toFixed(2)} s${figures.cpuMs ? ` (CPU: ${Object.entries(figures.cpuMs).map(([side, ms]) => `${side} ${(ms / 1000).toFixed(2)} s`).join(', ')})` : ''}`);
      noteCpu(kind, variant, figures.cpuMs);
      return figures.ms;
    };
    // esbuild's wrapped tree (src/transform/wrapped-tree.ts): a first build with the cache (module
    // facts kept) writes the tree, and the measured rebuilds reuse it. In each of the first rounds
    // the tree is moved aside and a first build is measured again.
    const first = [];
    results[bundler] = await alternate(runs, async (variant, round) => {
      if (variant === 'sandboxed') {
        if (bundler === 'esbuild' && round < PLAN.firstBuildRuns) {
          setTreeAside();
          const ms = await buildOnce('sandboxed', undefined, 'first');
          if (typeof ms === 'number') first.push(ms);
        }
        const ms = await buildOnce(variant, false, 'cold');
        if (typeof ms === 'number') cold.push(ms);
      }
      return buildOnce(variant);
    });
    results[bundler].cold = { plain: results[bundler].plain, sandboxed: summarize(cold), failures: {} };
    if (first.length > 0) results[bundler].first = { plain: results[bundler].plain, sandboxed: summarize(first), failures: {} };
    // Every kind of sandboxed build is compared with the same plain builds (those of the rebuild alternation).
    results[bundler].cpuMs = {};
    for (const [kind, sides] of Object.entries(cpu)) {
      for (const [side, samples] of Object.entries(sides)) {
        (results[bundler].cpuMs[kind] ??= {})[side] = { plain: summarize(cpu.rebuild?.[side]?.plain ?? []), sandboxed: summarize(samples.sandboxed), failures: {} };
      }
    }
    const failed = results[bundler].failures.sandboxed;
    if (failed) log(`  ${bundler} sandboxed: not available: ${failed}`);
  }
  return results;
}

function sizes() {
  const out = {};
  for (const variant of VARIANTS) {
    const file = bundlePath(variant);
    if (!fs.existsSync(file)) continue;
    out[variant] = { bundleBytes: fs.statSync(file).size, mapBytes: fs.existsSync(`${file}.map`) ? fs.statSync(`${file}.map`).size : 0 };
  }
  return out;
}

/**
 * Runs a bundle under /usr/bin/time -v when present (peak RSS of the whole process), else trusts the child's
 * report. Variant 'lockdown' is the plain bundle after ses lockdown alone (bench/lib/lockdown-only.cjs).
 */
async function runBundle(variant, args) {
  const bundle = bundlePath(variant === 'lockdown' ? 'plain' : variant);
  const node = variant === 'lockdown' ? [process.execPath, ...LOCKDOWN_ONLY_PRELOAD, bundle] : [process.execPath, bundle];
  const env = variant === 'lockdown' ? await lockdownOnlyEnv() : undefined;
  const timed = fs.existsSync('/usr/bin/time');
  const result = timed
    ? await run('/usr/bin/time', ['-v', ...node, ...args], { cwd: TMP, env })
    : await run(node[0], [...node.slice(1), ...args], { cwd: TMP, env });
  const figures = benchLine(result.stdout);
  if (result.code !== 0 || !figures) return { error: failureOf(result) };
  const rss = timed ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)?.[1]) : figures.maxRssKiB;
  return { ...figures, wallMs: result.ms, rssKiB: rss || figures.maxRssKiB };
}

async function measureStartup() {
  log(`startup: 1 warm-up + ${PLAN.startupRuns} runs per variant ...`);
  for (const variant of VARIANTS) await runBundle(variant, ['startup']);
  const rss = { plain: [], sandboxed: [] };
  const lockdownOnly = { wall: [], rss: [] };
  const wall = await alternate(PLAN.startupRuns, async (variant) => {
    const r = await runBundle(variant, ['startup']);
    if (r.error) return r;
    rss[variant].push(r.rssKiB);
    if (variant === 'plain') {
      const l = await runBundle('lockdown', ['startup']);
      if (!l.error) {
        lockdownOnly.wall.push(l.wallMs);
        lockdownOnly.rss.push(l.rssKiB);
      }
    }
    return r.wallMs;
  });
  log(`  median ${wall.plain?.median.toFixed(0)} ms plain, ${wall.sandboxed?.median.toFixed(0) ?? 'n/a'} ms sandboxed`);
  return {
    wallMs: { ...wall, lockdownOnly: summarize(lockdownOnly.wall) },
    rssKiB: { plain: summarize(rss.plain), sandboxed: summarize(rss.sandboxed), lockdownOnly: summarize(lockdownOnly.rss), failures: wall.failures },
  };
}

async function measureCpu() {
  const results = {};
  for (const [loop, iterations] of Object.entries(PLAN.cpuLoops)) {
    log(`cpu loop ${loop} x${iterations}: ${PLAN.cpuRuns} runs per variant ...`);
    const lockdownOnly = [];
    results[loop] = await alternate(PLAN.cpuRuns, async (variant) => {
      const r = await runBundle(variant, ['cpu', loop, String(iterations)]);
      // Diagnostic, after each plain run: the plain bundle after lockdown alone.
      if (variant === 'plain') {
        const l = await runBundle('lockdown', ['cpu', loop, String(iterations)]);
        if (!l.error) lockdownOnly.push(l.ms);
      }
      return r.error ? r : r.ms;
    });
    results[loop].iterations = iterations;
    results[loop].lockdownOnly = summarize(lockdownOnly);
    log(`  median ${results[loop].plain?.median.toFixed(0)} ms plain, ${results[loop].sandboxed?.median.toFixed(0) ?? 'n/a'} ms sandboxed`);
  }
  return results;
}

/** Starts a bundled server, loads it (warm-up, then measured), stops it; resolves with req/s and its peak RSS. */
async function serverRun(variant, mode) {
  const lockdownOnly = variant === 'lockdown';
  const args = lockdownOnly ? [...LOCKDOWN_ONLY_PRELOAD, bundlePath('plain'), mode, '0'] : [bundlePath(variant), mode, '0'];
  const env = lockdownOnly ? await lockdownOnlyEnv() : process.env;
  const child = spawn(process.execPath, args, { cwd: TMP, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('close', resolve));
  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not report a port within 30 s')), 30_000);
      child.stdout.on('data', (d) => {
        stdout += d;
        const ready = benchLine(stdout);
        if (ready?.port) {
          clearTimeout(timer);
          resolve(ready.port);
        }
      });
      child.on('close', () => reject(new Error(failureOf({ stdout, stderr, code: child.exitCode }))));
    });
    const load = { port, path: '/users/42?fields=name,email', connections: PLAN.serverConnections };
    await runLoad({ ...load, durationMs: PLAN.serverWarmupMs });
    const measured = await runLoad({ ...load, durationMs: PLAN.serverMeasureMs });
    child.kill('SIGTERM');
    await exited;
    if (measured.errors > 0 || measured.requests === 0) return { error: `${measured.errors} failed responses of ${measured.requests}` };
    return { rps: measured.rps, rssKiB: benchLine(stdout)?.maxRssKiB };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    return { error: error.message };
  }
}

async function measureServers() {
  const results = {};
  for (const mode of ['express', 'fastify']) {
    log(`server ${mode}: ${PLAN.serverRuns} runs per variant (${PLAN.serverWarmupMs} ms warm-up, ${PLAN.serverMeasureMs} ms measured, ${PLAN.serverConnections} connections) ...`);
    const rss = { plain: [], sandboxed: [] };
    const lockdownOnly = [];
    results[mode] = await alternate(PLAN.serverRuns, async (variant) => {
      const r = await serverRun(variant, mode);
      if (r.error) return r;
      if (r.rssKiB) rss[variant].push(r.rssKiB);
      if (variant === 'plain') {
        const l = await serverRun('lockdown', mode);
        if (!l.error) lockdownOnly.push(l.rps);
      }
      return r.rps;
    });
    results[mode].rssKiB = { plain: summarize(rss.plain), sandboxed: summarize(rss.sandboxed) };
    results[mode].lockdownOnly = summarize(lockdownOnly);
    const failed = results[mode].failures.sandboxed ?? results[mode].failures.plain;
    log(failed ? `  not available: ${failed}` : `  median ${results[mode].plain?.median.toFixed(0)} req/s plain, ${results[mode].sandboxed?.median.toFixed(0)} req/s sandboxed`);
  }
  return results;
}

// --------------------------------------------------------------------------------------------- report

/**
 * One table row. `kind` says how the ratio is formed: 'cost' = sandboxed/plain (lower is better),
 * 'speed' = plain/sandboxed for times, sandboxed/plain for rates (higher is better, 1 = no loss).
 */
function row(label, pair, { unit, scale = 1, digits = 0, kind, rate = false, goal }) {
  const fmt = (s) => (s ? `${(s.median * scale).toFixed(digits)} ${unit}${s.n > 1 ? ` ±${(s.spread * 100).toFixed(0)}%` : ''}` : 'n/a');
  const why = (variant) => pair?.failures?.[variant];
  const plain = pair?.plain ? fmt(pair.plain) : `not available: ${why('plain') ?? 'not run'}`;
  const sandboxed = pair?.sandboxed ? fmt(pair.sandboxed) : `not available: ${why('sandboxed') ?? 'not run'}`;
  let ratio;
  if (pair?.plain && pair?.sandboxed) {
    const r = pair.sandboxed.median / pair.plain.median;
    ratio = kind === 'cost' ? r : rate ? r : 1 / r;
  }
  let verdict = '';
  if (ratio !== undefined && goal) {
    if (goal.max !== undefined) verdict = ratio <= (goal.stretch ?? -Infinity) ? 'met (stretch)' : ratio <= goal.max ? 'met' : 'missed';
    else verdict = ratio >= goal.min ? 'met' : 'missed';
  }
  const goalText = goal ? (goal.max !== undefined ? `≤ ${goal.max}x${goal.stretch ? ` (stretch ${goal.stretch}x)` : ''}` : `≥ ${goal.min}x`) : '-';
  const ratioText = ratio === undefined ? '-' : `${ratio.toFixed(2)}x ${kind === 'cost' ? '(s/p)' : rate ? '(s/p)' : '(p/s)'}`;
  return { label, plain, sandboxed, ratio, ratioText, goalText, verdict };
}

function markdown(results) {
  const { machine: m, app, policy } = results;
  const rows = [];
  const b = results.builds ?? {};
  const n = (s) => s?.n ?? 0;
  for (const bundler of ['esbuild', 'rollup']) {
    if (!b[bundler]) continue;
    const rebuild = bundler === 'esbuild' ? 'rebuild, facts cache and wrapped tree reused' : 'rebuild with the facts cache';
    rows.push(row(`build, ${bundler}, ${rebuild} (median of ${n(b[bundler].plain)})`, b[bundler], { unit: 's', scale: 1e-3, digits: 2, kind: 'cost', goal: GOALS.build }));
    if (b[bundler].first) rows.push(row(`build, ${bundler}, first build with the facts cache (writes the wrapped tree; median of ${n(b[bundler].first.sandboxed)})`, b[bundler].first, { unit: 's', scale: 1e-3, digits: 2, kind: 'cost', goal: GOALS.build }));
    if (b[bundler].cold) rows.push(row(`build, ${bundler}, cold (no cache; median of ${n(b[bundler].cold.sandboxed)})`, b[bundler].cold, { unit: 's', scale: 1e-3, digits: 2, kind: 'cost', goal: GOALS.build }));
  }
  // Where each kind of build spends its CPU: the node process (the plugin's hooks and wrapping) and esbuild's service.
  for (const bundler of ['esbuild', 'rollup']) {
    for (const [kind, sides] of Object.entries(b[bundler]?.cpuMs ?? {})) {
      for (const [side, pair] of Object.entries(sides)) {
        const where = side === 'node' ? (bundler === 'rollup' ? 'the build process (rollup included)' : 'the node process') : "esbuild's process";
        rows.push(row(`diagnostic: ${bundler} ${BUILD_KIND_NAMES[kind]}, CPU of ${where}`, pair, { unit: 's', scale: 1e-3, digits: 2, kind: 'cost' }));
      }
    }
  }
  const s = results.startup;
  if (s) {
    rows.push(row(`startup: load all ${app.packages} packages, exit (median of ${n(s.wallMs.plain)})`, s.wallMs, { unit: 'ms', kind: 'cost', goal: GOALS.startup }));
    rows.push(row('peak RSS at startup', { ...s.rssKiB, failures: s.wallMs.failures }, { unit: 'MiB', scale: 1 / 1024, kind: 'cost', goal: GOALS.rss }));
  }
  for (const [mode, r] of Object.entries(results.servers ?? {})) {
    rows.push(row(`${mode} JSON route, req/s (median of ${n(r.plain)})`, r, { unit: 'req/s', kind: 'speed', rate: true, goal: GOALS.throughput }));
    rows.push(row(`${mode} peak RSS under load`, { ...r.rssKiB, failures: r.failures }, { unit: 'MiB', scale: 1 / 1024, kind: 'cost' }));
  }
  for (const [loop, r] of Object.entries(results.cpu ?? {})) {
    rows.push(row(`CPU: ${loop} x${r.iterations}, ms (median of ${n(r.plain)})`, r, { unit: 'ms', kind: 'speed', goal: GOALS.cpu }));
  }
  // Diagnostics: the plain bundle after ses lockdown alone, in the sandboxed column: lockdown's own share.
  if (s?.wallMs.lockdownOnly) rows.push(row('diagnostic: startup, plain bundle + lockdown only', { plain: s.wallMs.plain, sandboxed: s.wallMs.lockdownOnly }, { unit: 'ms', kind: 'cost' }));
  if (s?.rssKiB.lockdownOnly) rows.push(row('diagnostic: peak RSS, plain bundle + lockdown only', { plain: s.rssKiB.plain, sandboxed: s.rssKiB.lockdownOnly }, { unit: 'MiB', scale: 1 / 1024, kind: 'cost' }));
  for (const [mode, r] of Object.entries(results.servers ?? {})) {
    if (r.lockdownOnly) rows.push(row(`diagnostic: ${mode} req/s, plain bundle + lockdown only`, { plain: r.plain, sandboxed: r.lockdownOnly }, { unit: 'req/s', kind: 'speed', rate: true }));
  }
  for (const [loop, r] of Object.entries(results.cpu ?? {})) {
    if (r.lockdownOnly) rows.push(row(`diagnostic: CPU ${loop}, plain bundle + lockdown only`, { plain: r.plain, sandboxed: r.lockdownOnly }, { unit: 'ms', kind: 'speed' }));
  }
  const z = results.sizes;
  if (z?.plain && z?.sandboxed) {
    const one = (bytes) => ({ median: bytes, spread: 0, n: 1 });
    rows.push(row('bundle size (esbuild, without .map)', { plain: one(z.plain.bundleBytes), sandboxed: one(z.sandboxed.bundleBytes) }, { unit: 'MB', scale: 1e-6, digits: 2, kind: 'cost' }));
    rows.push(row('source map size', { plain: one(z.plain.mapBytes), sandboxed: one(z.sandboxed.mapBytes) }, { unit: 'MB', scale: 1e-6, digits: 2, kind: 'cost' }));
  }
  const lines = [
    `Measured ${m.date.slice(0, 10)} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (${m.platform}); load average at start ${m.loadAverageAtStart.join(' ')}, at end ${(m.loadAverageAtEnd ?? []).join(' ')}${m.fileCreationUs ? `; a file in a new directory took ${m.fileCreationUs} us to create before the builds` : ''}.`,
    `App: bench/app (${app.packages} direct dependencies, ${app.installedPackages} installed packages): ${app.modules} modules bundled (${app.packageModules} from node_modules), ${(app.inputBytes / 1e6).toFixed(1)} MB of input. Policy: ${policy.source}.`,
    `Ratios: (s/p) = sandboxed / plain, lower is better; (p/s) = plain time / sandboxed time and req/s is sandboxed / plain, so 1.00x is no loss and higher is better. ±x% = half the min-max range over the median.`,
    '',
    '| measure | plain | sandboxed | ratio | goal | |',
    '|---|---:|---:|---:|---|---|',
    ...rows.map((r) => `| ${r.label} | ${r.plain} | ${r.sandboxed} | ${r.ratioText} | ${r.goalText} | ${r.verdict} |`),
  ];
  return { text: lines.join('\n'), rows };
}

// ------------------------------------------------------------------------------------------------ main

async function main() {
  fs.mkdirSync(TMP, { recursive: true });
  const results = { machine: machine(), plan: PLAN, goals: GOALS };
  if (results.machine.loadAverageAtStart[0] > 0.5 * results.machine.cores) log(`warning: load average ${results.machine.loadAverageAtStart[0]} on ${results.machine.cores} cores; figures will be noisy`);
  await ensureAppInstalled();

  log('scanning the app (plain esbuild metafile) ...');
  const scan = await scanApp(path.join(ROOT, ENTRY));
  const appPackage = JSON.parse(fs.readFileSync(path.join(APP, 'package.json'), 'utf8'));
  const installed = JSON.parse(fs.readFileSync(path.join(APP, 'package-lock.json'), 'utf8')).packages;
  results.app = {
    entry: ENTRY,
    modules: scan.modules,
    packageModules: scan.packageModules,
    inputBytes: scan.inputBytes,
    packages: Object.keys(appPackage.dependencies).length,
    installedPackages: Object.keys(installed).filter((k) => k.startsWith('node_modules/')).length,
  };
  log(`  ${scan.modules} modules, ${(scan.inputBytes / 1e6).toFixed(1)} MB`);
  results.policy = await preparePolicy(scan.metafile);
  for (const line of results.policy.tried) log(`  policy note: ${line}`);

  if (ONLY.has('build')) {
    results.machine.fileCreationUs = probeFileCreation();
    log(`  creating a file in a new directory: ${results.machine.fileCreationUs} us on this disk now`);
    results.builds = await measureBuilds();
    results.sizes = sizes();
  } else {
    // The runtime groups need both bundles; build each once, untimed.
    for (const variant of VARIANTS) await run(process.execPath, [path.join(BENCH, 'lib/build-child.js'), JSON.stringify({ variant, bundler: 'esbuild', entry: ENTRY, outfile: bundlePath(variant), cwd: ROOT, policy: POLICY })]);
  }
  if (ONLY.has('startup')) results.startup = await measureStartup();
  if (ONLY.has('server')) results.servers = await measureServers();
  if (ONLY.has('cpu')) results.cpu = await measureCpu();

  // Last, after every measurement (see SET_ASIDE).
  fs.rmSync(SET_ASIDE, { recursive: true, force: true });
  results.machine.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  results.totalSeconds = Math.round(Number(process.hrtime.bigint() - started) / 1e9);
  const table = markdown(results);
  results.markdown = table.text;
  results.rows = table.rows;
  // A --quick run is a smoke test of the harness: its figures never replace the measured ones.
  const outfile = QUICK ? path.join(TMP, 'quick.json') : path.join(BENCH, 'results/latest.json');
  fs.writeFileSync(outfile, `${JSON.stringify(results, null, 2)}\n`);
  log(`done in ${results.totalSeconds} s; wrote ${path.relative(ROOT, outfile)}`);
  process.stdout.write(`\n${table.text}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
