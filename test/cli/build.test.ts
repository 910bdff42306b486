// The build command as a user runs it: outputs, determinism, source maps, crash behaviour and bad input.

import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { scratchDir } from '../scratch.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const app = path.join(repo, 'test/fixtures/mini-app');
const cli = path.join(repo, 'bin/sandbox-bundle.js');
const work = scratchDir('sb-cli-');

function run(args: string[], cwd = repo) {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function build(outfile: string, ...extra: string[]) {
  return run([cli, 'build', path.join(app, 'index.js'), '-o', outfile, ...extra]);
}

describe.each(['esbuild', 'rollup'])('sandbox-bundle build --bundler %s', (bundler) => {
  const outfile = path.join(work, bundler, 'a', 'app.cjs');
  beforeAll(() => {
    const result = build(outfile, '--bundler', bundler);
    expect(result.stderr).toContain('wrote');
    expect(result.code).toBe(0);
  });

  it('writes a bundle that runs the app and prints nothing of its own', () => {
    const result = run([outfile]);
    expect(result).toEqual({ code: 0, stdout: 'hello world from greeter\n', stderr: '' });
  });

  it('gives the same bytes for the same input', () => {
    // Without the cache: a build that finds one may link esbuild's wrapped tree (its own test is in
    // test/plugins/build-speedups.test.ts), whose module paths differ from a first build's.
    const [first, again] = ['a', 'b'].map((dir) => path.join(work, bundler, dir, 'app.cjs'));
    for (const file of [first, again]) expect(build(file, '--bundler', bundler, '--no-cache').code).toBe(0);
    expect(fs.readFileSync(again, 'utf8')).toBe(fs.readFileSync(first, 'utf8'));
    expect(fs.readFileSync(`${again}.map`, 'utf8')).toBe(fs.readFileSync(`${first}.map`, 'utf8'));
  });

  it('crashes like node on an uncaught error: stack on stderr, exit code 1', () => {
    const result = run([outfile, 'crash']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Error: thrown from thrower\n\s+at .*fail/);
    expect(result.stderr).not.toMatch(/^\{\}$/m);
  });

  it('maps the crash position back to the original file and line', () => {
    const frame = run([outfile, 'crash']).stderr.match(/app\.cjs:(\d+):(\d+)/);
    expect(frame).not.toBeNull();
    const map = new SourceMap(JSON.parse(fs.readFileSync(`${outfile}.map`, 'utf8')));
    const entry = map.findEntry(Number(frame![1]) - 1, Number(frame![2]) - 1) as { originalSource: string; originalLine: number };
    expect(entry.originalSource).toMatch(/node_modules\/thrower\/lib\/thrower\.js$/);
    expect(entry.originalLine + 1).toBe(3);
  });

  it('writes ESM for an .mjs outfile, and it runs', () => {
    const esm = path.join(work, bundler, 'esm', 'app.mjs');
    expect(build(esm, '--bundler', bundler).code).toBe(0);
    expect(fs.readFileSync(esm, 'utf8')).toMatch(/^import |\nimport /);
    expect(run([esm]).stdout).toBe('hello world from greeter\n');
  });
});

describe('what a build loads', () => {
  // The policy generator brings Babel (~150 ms of module loading): only the policy commands load it.
  const babelModulesLoaded = (args: string[]): number => {
    const probe = path.join(work, 'babel-probe.cjs');
    fs.writeFileSync(
      probe,
      "process.on('exit', () => { const sep = require('node:path').sep; const loaded = Object.keys(require('node:module')._cache).filter((file) => file.includes(sep + '@babel' + sep)); require('node:fs').writeSync(2, 'BABEL ' + loaded.length + '\\n'); });\n",
    );
    const result = run(['-r', probe, ...args]);
    const count = /BABEL (\d+)/.exec(result.stderr);
    expect(count, result.stderr).not.toBeNull();
    return Number(count![1]);
  };

  it('importing the API, or building with the CLI, leaves Babel unloaded; a policy command loads it', () => {
    const api = pathToFileURL(path.join(repo, 'dist/src/index.js')).href;
    expect(babelModulesLoaded(['-e', `import(${JSON.stringify(api)})`])).toBe(0);
    expect(babelModulesLoaded([cli, 'build', path.join(app, 'index.js'), '-o', path.join(work, 'loads', 'app.cjs'), '--no-cache'])).toBe(0);
    expect(babelModulesLoaded([cli, 'policy', path.join(app, 'index.js'), '--check'])).toBeGreaterThan(0);
  });
});

describe('bad input: a clear error, a non-zero exit, no output file', () => {
  const policyFile = (name: string, content: string) => {
    const file = path.join(work, name);
    fs.writeFileSync(file, content);
    return file;
  };

  it.each([
    ['a malformed policy', () => ['--policy', policyFile('bad.json', '{"resources": {"greeter": {"globals": {"console": 3}, "builtins": {}}}}')], 1, [/policy ".*bad\.json" is invalid \(2 problems\)/, /resources\["greeter"\]\.globals\["console"\]: expected true, false or "write", got 3/, /unexpected key "builtins"/]],
    ['a policy that is not JSON', () => ['--policy', policyFile('syntax.json', '{"resources": {,}}')], 1, [/syntax\.json/, /line 1/]],
    ['a missing policy file', () => ['--policy', path.join(work, 'nope.json')], 1, [/policy file ".*nope\.json" does not exist/]],
    ['an unknown package name', () => ['--policy', policyFile('unknown.json', '{"resources": {"greeterr": {}}}')], 1, [/unknown package/, /resources\["greeterr"\]/, /known: greeter, thrower/]],
    ['an unknown bundler', () => ['--bundler', 'webpack'], 2, [/--bundler must be "esbuild" or "rollup", got "webpack"/]],
    ['an unknown format', () => ['--format', 'umd'], 2, [/--format must be "cjs" or "esm", got "umd"/]],
  ])('%s', (_label, extraArgs, exitCode, patterns) => {
    const outfile = path.join(work, 'bad', `${Math.random().toString(36).slice(2)}.cjs`);
    const result = build(outfile, ...extraArgs());
    expect(result.code).toBe(exitCode);
    for (const pattern of patterns) expect(result.stderr).toMatch(pattern);
    expect(result.stderr).not.toMatch(/\n\s+at .*node_modules/); // no stack trace from deep inside
    expect(fs.existsSync(outfile)).toBe(false);
  });

  it('a missing entry file', () => {
    const outfile = path.join(work, 'bad', 'missing-entry.cjs');
    const result = run([cli, 'build', path.join(app, 'nope.js'), '-o', outfile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/entry file ".*nope\.js" does not exist/);
    expect(fs.existsSync(outfile)).toBe(false);
  });
});

describe.each(['esbuild', 'rollup'])("sandbox-bundle build --no-seal-node-prototypes (--bundler %s)", (bundler) => {
  // The host-prototype-hijack attack scenario: sealed by default (e2e/attacks.test.ts), open with the flag.
  const fixture = path.join(repo, 'e2e/fixtures/host-prototype-hijack');
  const reportOf = (outfile: string) => JSON.parse(run([outfile], fixture).stdout.trim().split('\n').pop()!) as { legit: unknown; attacks: Record<string, string> };

  it("leaves Node's prototypes open, as the flag says, and the app still works", () => {
    const outfile = path.join(work, `open-prototypes-${bundler}.cjs`);
    const result = run([cli, 'build', path.join(fixture, 'index.js'), '-o', outfile, '--bundler', bundler, '--no-seal-node-prototypes']);
    expect(result.code).toBe(0);
    const report = reportOf(outfile);
    expect(Object.values(report.attacks)).toEqual(['escaped', 'escaped', 'escaped', 'escaped', 'escaped', 'escaped']);
    // With captureRejections turned on for everyone, the failed job goes to the queue's 'error' listener.
    expect(report.legit).toEqual({ ownEmitter: 'SB-E2E-SECRET', lateEmitter: 'SB-E2E-SECRET', streamData: 'SB-E2E-SECRET', legacyCount: 1, unhandled: '', jobError: 'job failed', captured: 'watched job failed', names: 'error,job' });
  });
});

describe.each(['esbuild', 'rollup'])("Node's domain module in a bundle (--bundler %s)", (bundler) => {
  // domain patches EventEmitter (usingDomains, init, prototype.emit) as it first loads: members the
  // sandbox seals once a package loads.
  const dir = path.join(work, `domain-${bundler}`);
  beforeAll(() => {
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'domain-app', version: '1.0.0', dependencies: { 'uses-domain': '1.0.0', 'plain-pkg': '1.0.0' } }),
      'sandbox-policy.json': JSON.stringify({ resources: { 'uses-domain': { builtin: { domain: true, events: true } } } }),
      'node_modules/uses-domain/package.json': JSON.stringify({ name: 'uses-domain', version: '1.0.0' }),
      // An emitter made inside the domain belongs to it: its unhandled 'error' goes to the domain.
      'node_modules/uses-domain/index.js': `const domain = require('domain');
const { EventEmitter } = require('events');
module.exports = () => {
  let caught = '';
  const d = domain.create();
  d.on('error', (error) => (caught = error.message));
  d.run(() => new EventEmitter().emit('error', new Error('routed to the domain')));
  return caught;
};
`,
      'index.js': `console.log(require('uses-domain')());\n`,
      'node_modules/plain-pkg/package.json': JSON.stringify({ name: 'plain-pkg', version: '1.0.0' }),
      'node_modules/plain-pkg/index.js': 'module.exports = 1;\n',
      'late.js': `require('plain-pkg');\nsetTimeout(() => require('domain'));\n`,
    };
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
  });

  it('a package granted domain loads it after the sandbox sealed EventEmitter, and its emitters join the domain', () => {
    const outfile = path.join(dir, 'package.cjs');
    expect(run([cli, 'build', 'index.js', '-o', outfile, '--bundler', bundler, '--no-cache'], dir).code).toBe(0);
    expect(run([outfile], dir)).toEqual({ code: 0, stdout: 'routed to the domain\n', stderr: '' });
  });

  // rollup's commonjs hoists every require of a builtin, even one inside a function, to the top of
  // the bundle: there domain always loads before the first package.
  it.skipIf(bundler === 'rollup')("the app's own code loading domain after a package is refused with what to do", () => {
    const outfile = path.join(dir, 'late.cjs');
    expect(run([cli, 'build', 'late.js', '-o', outfile, '--bundler', bundler, '--no-cache'], dir).code).toBe(0);
    const result = run([outfile], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("load domain in the app before any package");
  });
});
