// The rollup plugin used from rollup's own JS API: a working bundle, and every misconfiguration refused through rollup's error channel.

import { describe, it, expect } from 'vitest';
import { rollup, type OutputOptions, type Plugin, type RollupCache, type RollupLog } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjsPlugin, { type RollupCommonJSOptions } from '@rollup/plugin-commonjs';
import jsonPlugin from '@rollup/plugin-json';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandbox } from '../../plugins/rollup/index.js';
import { scratchDir } from '../scratch.js';

// Their types describe the CommonJS build; the ESM build loaded here has the factory as default export.
const commonjs = commonjsPlugin as unknown as (options?: RollupCommonJSOptions) => Plugin;
const json = jsonPlugin as unknown as () => Plugin;

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const app = path.join(repo, 'test/fixtures/rollup-app');
const work = scratchDir('sb-rollup-');

/** What the sandbox needs from commonjs (README, "rollup"). */
const COMMONJS: RollupCommonJSOptions = { strictRequires: true, transformMixedEsModules: true, extensions: ['.js', '.cjs', '.mjs', ''] };
const resolver = () => nodeResolve({ exportConditions: ['node'], preferBuiltins: true });
const recommended = (appDir = app) => [sandbox({ policy: path.join(appDir, 'sandbox-policy.json') }), resolver(), commonjs(COMMONJS), json()];

interface BuildCase {
  appDir?: string;
  input?: string;
  plugins?: Plugin[];
  output?: OutputOptions;
  /** Where bundle.write() puts the bundle, when not where `output` said. */
  writeTo?: string;
}

let builds = 0;
/** Builds with rollup's JS API the way a config file does (output given to rollup() too); returns the bundle path. */
async function build({ appDir = app, input = 'index.js', plugins = recommended(appDir), output = {}, writeTo }: BuildCase = {}): Promise<string> {
  const outfile = path.join(work, `build-${++builds}`, output.format === 'es' ? 'app.mjs' : 'app.cjs');
  const options: OutputOptions = { file: outfile, format: 'cjs', ...output };
  const bundle = await rollup({ input: path.join(appDir, input), output: options, plugins, onLog: (_level: string, _log: RollupLog) => {} });
  try {
    await bundle.write(writeTo ? { ...options, file: writeTo } : options);
  } finally {
    await bundle.close();
  }
  return writeTo ?? outfile;
}

function run(file: string) {
  const result = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, report: result.status === 0 ? JSON.parse(result.stdout) : undefined };
}

/** Rollup reports a plugin's error as PLUGIN_ERROR and keeps the plugin's code as `pluginCode`. */
async function failure(options: BuildCase): Promise<{ pluginCode?: string; plugin?: string; message: string }> {
  const error = await build(options).then(
    () => undefined,
    (e: unknown) => e as { pluginCode?: string; plugin?: string; message: string },
  );
  expect(error, 'the build should have failed').toBeDefined();
  return error!;
}

const EXPECTED = {
  legit: { joined: 'a/b', version: '4.2.0', secretLength: 14 },
  attacks: { childProcess: 'SB_PERMISSION_DENIED,SB_PERMISSION_DENIED', mixedChildProcess: 'SB_PERMISSION_DENIED' },
};

describe('sandbox() rollup plugin', () => {
  it.each(['cjs', 'es'] as const)('builds a runnable %s bundle: legit work succeeds, each denied require throws where it is made', async (format) => {
    const result = run(await build({ output: { format } }));
    expect(result.stderr).toBe('');
    expect(result.report).toEqual(EXPECTED);
  });

  it.each([true, 'remove', false] as const)('sends a package\'s require inside try through its gate whatever commonjs ignoreTryCatch is (%s)', async (ignoreTryCatch) => {
    // ignoreTryCatch only concerns requires of external modules; a package never gets one here.
    const result = run(await build({ plugins: [sandbox(), resolver(), commonjs({ ...COMMONJS, ignoreTryCatch }), json()] }));
    expect(result.report).toEqual(EXPECTED);
  });

  it('rebuilds from rollup\'s cache (watch mode) with the same enforcement', async () => {
    const outfile = path.join(work, 'cached', 'app.cjs');
    const output: OutputOptions = { file: outfile, format: 'cjs' };
    let cache: RollupCache | undefined;
    for (let round = 0; round < 2; round++) {
      const bundle = await rollup({ input: path.join(app, 'index.js'), output, cache, plugins: recommended(), onLog: () => {} });
      cache = bundle.cache;
      await bundle.write(output);
      await bundle.close();
      expect(run(outfile).report, `round ${round}`).toEqual(EXPECTED);
    }
  });

  it('plain rollup + commonjs: the same app escapes (the threat is real)', async () => {
    const result = run(await build({ plugins: [resolver(), commonjs(COMMONJS), json()] }));
    expect(result.report.attacks).toEqual({ childProcess: 'escaped,escaped', mixedChildProcess: 'escaped' });
  });

  it.each<[string, () => Plugin[], string, RegExp]>([
    ['commonjs missing', () => [sandbox(), resolver(), json()], 'SB_PLUGIN_ORDER', /no @rollup\/plugin-commonjs.*commonjs\(\{ strictRequires: true, transformMixedEsModules: true, extensions: \['\.js', '\.cjs', '\.mjs', ''\] \}\)/s],
    ['node-resolve missing', () => [sandbox(), commonjs(COMMONJS), json()], 'SB_PLUGIN_ORDER', /no @rollup\/plugin-node-resolve.*nodeResolve\(/s],
    ['node-resolve before sandbox()', () => [resolver(), sandbox(), commonjs(COMMONJS), json()], 'SB_PLUGIN_ORDER', /Put sandbox\(\) before nodeResolve\(\)/],
    ['commonjs strictRequires: false', () => [sandbox(), resolver(), commonjs({ ...COMMONJS, strictRequires: false }), json()], 'SB_BUILD_FAILED', /hoisted the requires.*strictRequires: true/s],
    ['commonjs strictRequires: "auto"', () => [sandbox(), resolver(), commonjs({ ...COMMONJS, strictRequires: 'auto' }), json()], 'SB_BUILD_FAILED', /strictRequires: true/],
    ['commonjs ignore: a package\'s require left as is', () => [sandbox(), resolver(), commonjs({ ...COMMONJS, ignore: ['child_process'] }), json()], 'SB_BUILD_FAILED', /try-requirer.*Node's own "require".*ignore option/s],
    ['commonjs transformMixedEsModules default', () => [sandbox(), resolver(), commonjs({ ...COMMONJS, transformMixedEsModules: undefined }), json()], 'SB_BUILD_FAILED', /mixed-esm.*Node's own "require".*transformMixedEsModules: true/s],
    ['commonjs excludes a package', () => [sandbox(), resolver(), commonjs({ ...COMMONJS, exclude: ['**/try-requirer/**'] }), json()], 'SB_BUILD_FAILED', /try-requirer.*Node's own/s],
  ])('refuses a build with %s, naming the option to set', async (_name, plugins, code, message) => {
    const error = await failure({ plugins: plugins() });
    expect(error.plugin).toBe('sandbox-bundle');
    expect(error.pluginCode).toBe(code);
    expect(error.message).toMatch(message);
  });

  it.each<[OutputOptions, RegExp]>([
    [{ format: 'iife', name: 'app' }, /output.format is "iife".*"cjs" or "es"/],
    [{ format: 'cjs', strict: false }, /output.strict is false/],
    [{ format: 'cjs', banner: 'globalThis.x = 1;' }, /does not start with "use strict"/],
  ])('refuses output it cannot make strict for Node: %j', async (output, message) => {
    const error = await failure({ output });
    expect(error.pluginCode).toBe('SB_OPTIONS_INVALID');
    expect(error.message).toMatch(message);
  });

  it('refuses writing the bundle elsewhere than the output options given to rollup() said', async () => {
    const error = await failure({ writeTo: path.join(work, 'elsewhere', 'app.cjs') });
    expect(error.pluginCode).toBe('SB_OPTIONS_INVALID');
    expect(error.message).toMatch(/prepared for ".*build-\d+"/);
  });

  it('refuses a package left external: Node would load it outside the sandbox', async () => {
    const plugins = recommended();
    const bundle = rollup({ input: path.join(app, 'index.js'), external: ['data-pkg'], plugins, onLog: () => {} });
    const error = (await bundle.then(() => undefined, (e: unknown) => e)) as { pluginCode?: string; message: string } | undefined;
    expect(error?.pluginCode).toBe('SB_BUILD_FAILED');
    expect(error?.message).toMatch(/"data-pkg" is external \(imported by .*\): Node would load it at run time, outside the sandbox/);
  });

  it('refuses package code hidden in a file it cannot wrap (not JavaScript by extension)', async () => {
    const error = await failure({ input: 'text-entry.js' });
    expect(error.pluginCode).toBe('SB_BUILD_FAILED');
    expect(error.message).toMatch(/payload\.txt" \(package "code-in-text"\) is in the bundle without its sandbox wrapper/);
  });

  describe('a package naming a commonjs proxy id ("\\0<file>?commonjs-es-import") to import a file past its gates', () => {
    // The proxy id must name the secret's absolute path, so this app is assembled per run.
    const forgedApp = path.join(work, 'forged-app');
    fs.cpSync(app, forgedApp, { recursive: true });
    const forger = path.join(forgedApp, 'node_modules/proxy-forger');
    fs.mkdirSync(forger);
    fs.writeFileSync(path.join(forger, 'package.json'), '{ "name": "proxy-forger", "version": "1.0.0", "type": "module" }\n');
    const secret = path.join(forgedApp, 'lib/secret.js');
    fs.writeFileSync(path.join(forger, 'index.js'), `import secret from ${JSON.stringify(`\0${secret}?commonjs-es-import`)};\nexport default secret;\n`);
    fs.writeFileSync(path.join(forgedApp, 'forged-entry.js'), "require('./lib/secret.js');\nconsole.log(JSON.stringify(require('proxy-forger').default));\n");
    const manifest = JSON.parse(fs.readFileSync(path.join(forgedApp, 'package.json'), 'utf8'));
    manifest.dependencies['proxy-forger'] = '1.0.0';
    fs.writeFileSync(path.join(forgedApp, 'package.json'), JSON.stringify(manifest));

    it('plain rollup + commonjs: the package reads the app secret (the threat is real)', async () => {
      const result = run(await build({ appDir: forgedApp, input: 'forged-entry.js', plugins: [resolver(), commonjs(COMMONJS), json()] }));
      expect(result.stdout).toBe('"the app secret"\n');
    });

    it('sandboxed: the build fails, naming the package and the id', async () => {
      const error = await failure({ appDir: forgedApp, input: 'forged-entry.js' });
      expect(error.pluginCode).toBe('SB_BUILD_FAILED');
      expect(error.message).toMatch(/\(package "proxy-forger"\) imports "\\0.*secret\.js\?commonjs-es-import", which sandbox-bundle did not resolve for it/);
    });
  });
});
