// The sandbox-bundle command line: parses argv, prints for people, and is the only place that exits.

import { Command, CommanderError } from 'commander';
import { buildSandboxed, type BundlerName } from '../build.js';
import { isSandboxError } from '../errors.js';
import type { OutputFormat } from '../options.js';
import { registerPolicyCommands } from './policy-command.js';

/** Exit codes: 0 success, 1 the build or policy failed, 2 the command line is wrong. */
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const program = new Command()
  .name('sandbox-bundle')
  .description('Bundle a Node.js app so every dependency package runs with only the authority its policy grants.')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

program
  .command('build')
  .description('bundle an app into one sandboxed file (plus source map)')
  .argument('<entry>', "the app's entry file")
  .requiredOption('-o, --outfile <file>', 'output bundle path (.cjs/.mjs, or .js with the format of the nearest package.json)')
  .option('-p, --policy <file>', 'policy file (default: sandbox-policy.json next to the app package.json)')
  .option('--policy-override <file>', 'override file merged on top (default: policy-override.json next to the policy)')
  .option('-b, --bundler <name>', 'esbuild or rollup', 'esbuild')
  .option('-f, --format <format>', 'cjs or esm (default: from the outfile)')
  .option('--root <dir>', 'the app directory (default: nearest package.json above the entry)')
  .option('--before-lockdown <specifier>', 'trusted polyfill loaded unsandboxed before lockdown (repeatable)', collect, [])
  .option('--lockdown <option=value>', 'a ses lockdown option, e.g. overrideTaming=severe (repeatable)', collect, [])
  .option('--mode <mode>', 'enforce (default), warn (allow and report each violation once) or record (allow all, record every use as a policy)', 'enforce')
  .option('--monitor-file <file>', 'warn: JSON Lines report file (default stderr); record: policy file to merge observations into (default sandbox-record.json), relative to where the bundle runs')
  .option('--no-sourcemap', 'do not write a source map')
  .option('--cache-dir <dir>', "where parse results and esbuild's wrapped modules are kept between builds (default: node_modules/.cache/sandbox-bundle in the app)")
  .option('--no-cache', 'parse and wrap every module again; keep nothing between builds')
  .option('--no-seal-node-prototypes', "leave the prototypes of Node's classes (EventEmitter, streams, sockets) open: faster, but a package handed an instance can replace their methods for everyone")
  .action(async (entry: string, flags: Record<string, any>) => {
    if (flags.bundler !== 'esbuild' && flags.bundler !== 'rollup') {
      throw new CommanderError(EXIT_USAGE, 'sandbox-bundle.usage', `sandbox-bundle: --bundler must be "esbuild" or "rollup", got ${JSON.stringify(flags.bundler)}.`);
    }
    if (flags.format !== undefined && flags.format !== 'cjs' && flags.format !== 'esm') {
      throw new CommanderError(EXIT_USAGE, 'sandbox-bundle.usage', `sandbox-bundle: --format must be "cjs" or "esm", got ${JSON.stringify(flags.format)}.`);
    }
    if (!['enforce', 'warn', 'record'].includes(flags.mode)) {
      throw new CommanderError(EXIT_USAGE, 'sandbox-bundle.usage', `sandbox-bundle: --mode must be "enforce", "warn" or "record", got ${JSON.stringify(flags.mode)}.`);
    }
    const lockdown: Record<string, string> = {};
    for (const pair of flags.lockdown as string[]) {
      const [key, value] = pair.split('=');
      if (!key || value === undefined) throw new CommanderError(EXIT_USAGE, 'sandbox-bundle.usage', `sandbox-bundle: --lockdown takes option=value (e.g. overrideTaming=severe), got ${JSON.stringify(pair)}.`);
      lockdown[key] = value;
    }
    const result = await buildSandboxed({
      lockdown,
      mode: flags.mode,
      monitorFile: flags.monitorFile,
      entry,
      outfile: flags.outfile,
      policy: flags.policy,
      policyOverride: flags.policyOverride,
      bundler: flags.bundler as BundlerName,
      format: flags.format as OutputFormat | undefined,
      root: flags.root,
      beforeLockdown: flags.beforeLockdown,
      sourcemap: flags.sourcemap,
      cache: flags.cache === false ? false : flags.cacheDir,
      sealNodePrototypes: flags.sealNodePrototypes !== false,
    });
    for (const warning of result.warnings) process.stderr.write(`sandbox-bundle: warning: ${warning}\n`);
    process.stderr.write(`sandbox-bundle: wrote ${result.outfile} (${result.format})\n`);
  });

registerPolicyCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) process.exit(0);
    if (error.code === 'sandbox-bundle.usage') process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_USAGE);
  }
  if (isSandboxError(error)) {
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_FAILED);
  }
  process.stderr.write(`sandbox-bundle: unexpected failure; this is a bug in sandbox-bundle, please report it with this trace:\n${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(EXIT_FAILED);
}
