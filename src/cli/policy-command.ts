// The policy and explain commands: generate a policy by static analysis, check a committed one, convert LavaMoat's, explain one package.
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { generatePolicy } from '../index.js';
import { SandboxError } from '../errors.js';
import { ROOT_PACKAGE } from '../names.js';
import { findPackageRoot } from '../options.js';
import {
  convertLavaMoatPolicy,
  diffPolicies,
  loadPolicy,
  loadPolicyWithOverride,
  mergePolicies,
  POLICY_OVERRIDE_FILE_NAME,
  readPolicyJson,
  stringifyPolicy,
  type PolicyFile,
} from '../policy/index.js';
import { formatCheck, formatExplain, formatFindings } from './policy-report.js';
import { HIDDEN_DOORS } from '../runtime/hidden-doors.js';
import { isBuiltinDoor } from '../analysis/permission-paths.js';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const DEFAULT_POLICY_FILE = 'sandbox-policy.json';

function usage(message: string): CommanderError {
  return new CommanderError(EXIT_USAGE, 'sandbox-bundle.usage', `sandbox-bundle: ${message}`);
}

function warn(line: string): void {
  process.stderr.write(`sandbox-bundle: warning: ${line}\n`);
}

/** The app directory: --root, else the nearest package.json above `from`. */
function appRoot(rootFlag: string | undefined, from: string): string {
  if (rootFlag) return path.resolve(rootFlag);
  return findPackageRoot(from) ?? from;
}

/** Writes through a temporary file and a rename, so an interrupted run never leaves half a policy. */
function writeFileAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

/** The override file holds a person's decisions: generation never writes it, whatever -o says. */
function assertNotOverride(outfile: string): void {
  if (path.basename(outfile) === POLICY_OVERRIDE_FILE_NAME) {
    throw usage(`refusing to write "${outfile}": ${POLICY_OVERRIDE_FILE_NAME} holds hand edits and is never generated. Pass another -o, e.g. ${DEFAULT_POLICY_FILE}.`);
  }
}

function display(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

export function registerPolicyCommands(program: Command): void {
  program
    .command('policy')
    .description('write the policy the dependencies need, found by static analysis of every module reachable from the entry')
    .argument('[entry]', "the app's entry file (not needed with --from-lavamoat)")
    .option('-o, --outfile <file>', `where to write the policy (default: ${DEFAULT_POLICY_FILE} next to the app package.json)`)
    .option('--check', 'write nothing: exit 1 if the code needs grants the policy lacks, and print the difference')
    .option('-p, --policy <file>', `with --check: the policy to check (default: ${DEFAULT_POLICY_FILE} next to the app package.json)`)
    .option('--policy-override <file>', `with --check: override merged on top (default: ${POLICY_OVERRIDE_FILE_NAME} next to the policy)`)
    .option('--root <dir>', 'the app directory (default: nearest package.json above the entry)')
    .option('--from-lavamoat <file>', 'convert a LavaMoat policy to a sandbox-bundle policy instead of analyzing (writes --outfile)')
    .option('--from-record <file>', 'merge what a --mode record bundle observed (its monitor file) into the generated policy; hidden doors are reported, not merged')
    .action(async (entry: string | undefined, flags: Record<string, any>) => {
      if (flags.fromLavamoat !== undefined) {
        if (entry !== undefined || flags.check) throw usage('--from-lavamoat converts a file: pass no entry and no --check.');
        return convertCommand(flags);
      }
      if (entry === undefined) throw usage("policy needs the app's entry file, e.g. sandbox-bundle policy src/index.js.");
      if (!flags.check && (flags.policy !== undefined || flags.policyOverride !== undefined)) {
        throw usage('--policy and --policy-override only apply with --check; to choose where the policy is written, use -o.');
      }
      if (flags.check && flags.outfile !== undefined) throw usage('--check writes nothing: use --policy to name the policy to check, not -o.');
      // The entry stays as typed: error messages quote it, and generatePolicy resolves it.
      const root = appRoot(flags.root, path.dirname(path.resolve(entry)));
      if (flags.check) return checkCommand(entry, root, flags);
      return generateCommand(entry, root, flags);
    });

  program
    .command('explain')
    .description('what one package may do, which files and lines asked for each permission, and who imports it')
    .argument('<package>', 'canonical package name, e.g. "debug" or "express>debug"')
    .option('-e, --entry <file>', "the app's entry file (default: main of the app package.json)")
    .option('-p, --policy <file>', `policy file (default: ${DEFAULT_POLICY_FILE} next to the app package.json)`)
    .option('--policy-override <file>', `override merged on top (default: ${POLICY_OVERRIDE_FILE_NAME} next to the policy)`)
    .option('--root <dir>', 'the app directory (default: nearest package.json above the entry, or the current directory)')
    .action(async (name: string, flags: Record<string, any>) => explainCommand(name, flags));
}

async function generateCommand(entry: string, root: string, flags: Record<string, any>): Promise<void> {
  const outfile = path.resolve(flags.outfile ?? path.join(root, DEFAULT_POLICY_FILE));
  assertNotOverride(outfile);
  const generation = await generatePolicy({ entry, root });
  for (const line of formatFindings(generation)) warn(line);
  const policy = flags.fromRecord ? mergeRecord(generation.policy, path.resolve(flags.fromRecord)) : generation.policy;
  writeFileAtomically(outfile, stringifyPolicy(policy));
  const count = Object.keys(policy.resources).length;
  const override = path.join(path.dirname(outfile), POLICY_OVERRIDE_FILE_NAME);
  const seconds = ((generation.timings.bundleMs + generation.timings.inspectMs) / 1000).toFixed(2);
  process.stderr.write(
    `sandbox-bundle: wrote ${display(outfile)} (${count} package${count === 1 ? '' : 's'} with grants; ${generation.inspectedCount} of ${generation.moduleCount} modules inspected in ${seconds} s)\n`,
  );
  if (fs.existsSync(override)) process.stderr.write(`sandbox-bundle: ${display(override)} was left as it is and still applies on top.\n`);
}

/** Is this grant a hidden door (DESIGN section 3) that only a person may open? */
function isHiddenDoor(field: 'globals' | 'builtin', grant: string): boolean {
  const name = grant.replace(/^node:/, '');
  // The harmless members (worker_threads.isMainThread, the scoped module.createRequire) merge like any grant.
  if (field === 'builtin') return isBuiltinDoor(name);
  return [...HIDDEN_DOORS].some((door) => name === door || name.startsWith(`${door}.`));
}

/**
 * The static policy plus what a recorded run used (a record file is itself a policy). Hidden doors
 * a run used are reported, never merged: opening them stays a person's decision.
 */
function mergeRecord(generated: PolicyFile, recordFile: string): PolicyFile {
  const record = loadPolicy(recordFile);
  const filtered: PolicyFile = { resources: {} };
  for (const [pkg, grants] of Object.entries(record.resources)) {
    const entry: PolicyFile['resources'][string] = {};
    for (const field of ['globals', 'builtin'] as const) {
      for (const [grant, value] of Object.entries(grants[field] ?? {})) {
        if (isHiddenDoor(field, grant)) {
          if (value) warn(`package "${pkg}" used ${field === 'builtin' ? 'builtin' : 'global'} "${grant}" in the recorded run; not merged: grant it by hand in ${POLICY_OVERRIDE_FILE_NAME} if you trust it.`);
          continue;
        }
        (entry[field] ??= {})[grant] = value as never;
      }
    }
    if (grants.packages) entry.packages = { ...grants.packages };
    if (grants.native !== undefined) entry.native = grants.native;
    filtered.resources[pkg] = entry;
  }
  return mergePolicies(generated, filtered);
}

async function checkCommand(entry: string, root: string, flags: Record<string, any>): Promise<void> {
  const policyFile = path.resolve(flags.policy ?? path.join(root, DEFAULT_POLICY_FILE));
  const committed = loadPolicy(policyFile);
  const effective = loadPolicyWithOverride(policyFile, flags.policyOverride ? path.resolve(flags.policyOverride) : undefined);
  const generation = await generatePolicy({ entry, root });
  const diffs = diffPolicies(generation.policy, committed, effective);
  const report = formatCheck(diffs, generation, `${display(policyFile)}${overrideLabel(policyFile, flags.policyOverride)}`);
  process.stdout.write(report.text);
  if (report.failed) process.exitCode = EXIT_FAILED;
}

function convertCommand(flags: Record<string, any>): void {
  const input = path.resolve(flags.fromLavamoat);
  const root = appRoot(flags.root, process.cwd());
  const outfile = path.resolve(flags.outfile ?? path.join(root, DEFAULT_POLICY_FILE));
  assertNotOverride(outfile);
  if (outfile === input) throw usage(`-o names the LavaMoat file itself ("${input}"): write the converted policy somewhere else.`);
  const { policy, warnings } = convertLavaMoatPolicy(readPolicyJson(input), input);
  for (const line of warnings) warn(line);
  writeFileAtomically(outfile, stringifyPolicy(policy));
  const count = Object.keys(policy.resources).length;
  process.stderr.write(
    `sandbox-bundle: wrote ${display(outfile)} from ${display(input)} (${count} package${count === 1 ? '' : 's'}; ${warnings.length} field${warnings.length === 1 ? '' : 's'} dropped or changed${warnings.length ? ', listed above' : ''})\n`,
  );
}

async function explainCommand(name: string, flags: Record<string, any>): Promise<void> {
  const root = appRoot(flags.root, flags.entry ? path.dirname(path.resolve(flags.entry)) : process.cwd());
  const entry = flags.entry ? path.resolve(flags.entry) : mainOf(root);
  if (name === ROOT_PACKAGE) throw usage(`"${ROOT_PACKAGE}" is the app itself: it is unrestricted and has nothing to explain.`);

  const policyFile = path.resolve(flags.policy ?? path.join(root, DEFAULT_POLICY_FILE));
  let effective: PolicyFile = { resources: {} };
  let policyLabel = `none (no ${display(policyFile)}): showing what the analysis finds`;
  if (fs.existsSync(policyFile) || flags.policy !== undefined) {
    effective = loadPolicyWithOverride(policyFile, flags.policyOverride ? path.resolve(flags.policyOverride) : undefined);
    policyLabel = `${display(policyFile)}${overrideLabel(policyFile, flags.policyOverride)}`;
  }

  // Only the package itself is inspected; who imports it comes from the bundle's import graph.
  const generation = await generatePolicy({ entry, root, inspect: (pkg) => pkg === name });
  const known = new Set([...generation.importers.keys(), ...generation.packages.keys()]);
  if (!known.has(name) && !Object.hasOwn(effective.resources, name)) {
    const last = name.split('>').pop()!;
    const similar = [...known].filter((candidate) => candidate.split('>').pop() === last).sort();
    throw new SandboxError(
      'SB_PACKAGE_UNKNOWN',
      `sandbox-bundle: no package "${name}" in the bundle of "${display(entry)}". ${similar.length ? `Did you mean ${similar.map((s) => `"${s}"`).join(' or ')}? ` : ''}Pass a canonical name: the dependency path from the app, joined by ">" (e.g. "a>b").`,
    );
  }
  const last = name.split('>').pop()!;
  const otherVersions = [...known].filter((candidate) => candidate !== name && candidate.split('>').pop() === last).sort();
  const entryPolicy = Object.hasOwn(effective.resources, name) ? effective.resources[name] : undefined;
  const diff = diffPolicies({ resources: Object.hasOwn(generation.policy.resources, name) ? { [name]: generation.policy.resources[name] } : {} }, { resources: {} }, effective).find((d) => d.name === name);
  process.stdout.write(formatExplain({ name, generation, entry: entryPolicy, policyLabel, diff, otherVersions }));
}

/** The app's entry when --entry is not given: `main` of its package.json, else index.js. */
function mainOf(root: string): string {
  let main = 'index.js';
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    if (typeof manifest.main === 'string') main = manifest.main;
  } catch {
    // No readable package.json: fall back to index.js.
  }
  for (const candidate of [main, `${main}.js`, path.join(main, 'index.js')]) {
    const file = path.resolve(root, candidate);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
  }
  throw usage(`cannot tell the app's entry file (no "main" in ${path.join(root, 'package.json')} and no index.js there). Pass --entry <file>.`);
}

function overrideLabel(policyFile: string, overrideFlag: string | undefined): string {
  const override = overrideFlag ? path.resolve(overrideFlag) : path.join(path.dirname(policyFile), POLICY_OVERRIDE_FILE_NAME);
  return fs.existsSync(override) ? ` + ${display(override)}` : '';
}
