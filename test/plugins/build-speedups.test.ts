// The build's speed-ups must not change what a build enforces: the module-facts cache and specifiers settled at transform time.

import { describe, it, expect, beforeEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildSandboxed } from '../../src/build.js';
import { openFactsCache, type FactsCache } from '../../src/analysis/facts-cache.js';
import { inspectModule } from '../../src/analysis/inspect-module.js';
import { scratchDir } from '../scratch.js';

const work = scratchDir('sb-speedups-');

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [name, contents] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), contents);
  }
}

function run(file: string) {
  const result = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('openFactsCache', () => {
  const source = "const fs = require('fs'); module.exports = () => process.env.HOME + Buffer.from('x');";
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(work, 'cache-'));
  });

  /** The cache's answer for `text`, and whether it had to parse (a miss). */
  const lookup = (cache: FactsCache, text = source) => {
    let parsed = false;
    const facts = cache.factsOf(text, () => {
      parsed = true;
      return inspectModule(text, 'a.js');
    });
    return { facts, parsed };
  };
  /** A cache in `dir` written by one build that parsed `source`. */
  const written = () => {
    const cache = openFactsCache(dir, '1.0.0');
    lookup(cache);
    cache.save();
  };

  it('gives back, in a later build, exactly the facts a parse gives', () => {
    const first = lookup(openFactsCache(dir, '1.0.0'));
    expect(first.parsed).toBe(true);
    written();
    const again = lookup(openFactsCache(dir, '1.0.0'));
    expect(again.parsed).toBe(false);
    expect(again.facts).toEqual(inspectModule(source, 'a.js'));
  });

  it('keys by content: a changed source is a miss', () => {
    written();
    expect(lookup(openFactsCache(dir, '1.0.0'), `${source} setTimeout;`).parsed).toBe(true);
  });

  it('ignores facts written by another version of the tool', () => {
    written();
    expect(lookup(openFactsCache(dir, '2.0.0')).parsed).toBe(true);
  });

  it('treats a corrupt cache file as empty and replaces it', () => {
    fs.writeFileSync(path.join(dir, 'module-facts.json'), '{"version": "1:1.0.0", "entries": {');
    const cache = openFactsCache(dir, '1.0.0');
    expect(lookup(cache).parsed).toBe(true);
    cache.save();
    expect(lookup(openFactsCache(dir, '1.0.0')).parsed).toBe(false);
  });

  it('never fails a build when the cache cannot be written', () => {
    const blocked = path.join(dir, 'a-file');
    fs.writeFileSync(blocked, 'not a directory');
    const cache = openFactsCache(path.join(blocked, 'cache'), '1.0.0');
    lookup(cache);
    expect(() => cache.save()).not.toThrow();
  });
});

describe.each(['esbuild', 'rollup'] as const)('a cached rebuild (%s)', (bundler) => {
  const app = path.join(work, `cached-${bundler}`);
  const cacheDir = path.join(app, 'node_modules', '.cache', 'sandbox-bundle');
  writeTree(app, {
    'package.json': '{"name": "cached-app", "version": "1.0.0", "dependencies": {"greeter": "1.0.0"}}',
    'index.js': "console.log(require('greeter').greet('world'));\n",
    'node_modules/greeter/package.json': '{"name": "greeter", "version": "1.0.0"}',
    'node_modules/greeter/index.js': "const path = require('path');\nexports.greet = (name) => `hello ${name} from ${path.basename(__dirname)}`;\n",
    'sandbox-policy.json': JSON.stringify({ resources: { greeter: { builtin: { 'path.basename': true } } } }),
  });
  const build = (outfile: string) => buildSandboxed({ entry: path.join(app, 'index.js'), outfile: path.join(app, outfile), bundler, cwd: app });

  it('writes the cache, and a rebuild from it is byte-identical', async () => {
    await build('first/app.cjs');
    expect(fs.existsSync(path.join(cacheDir, 'module-facts.json'))).toBe(true);
    await build('second/app.cjs');
    const read = (file: string) => fs.readFileSync(path.join(app, file), 'utf8');
    // esbuild: the first build wraps the modules into the cache's tree, the second reuses it.
    expect(read('second/app.cjs')).toBe(read('first/app.cjs'));
    expect(read('second/app.cjs.map')).toBe(read('first/app.cjs.map'));
    for (const output of ['first', 'second']) expect(run(path.join(app, `${output}/app.cjs`)).stdout).toBe('hello world from greeter\n');
    if (bundler === 'esbuild') expect(read('first/app.cjs')).toContain('node_modules/.cache/sandbox-bundle/wrapped/');
  });

  it('analyses an edited module again: a new use of a host global is scoped, so the policy withholds it', async () => {
    await build('before-edit.cjs');
    fs.appendFileSync(path.join(app, 'node_modules/greeter/index.js'), 'exports.pid = process.pid;\n');
    await build('after-edit.cjs');
    // Stale facts would leave `process` unbound: it would reach the real one and the app would run.
    // Bound to greeter's scope, where the policy grants no `process`, it is undefined.
    const result = run(path.join(app, 'after-edit.cjs'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/TypeError: Cannot read properties of undefined \(reading 'pid'\)/);
  });

  it('keeps nothing with cache: false', async () => {
    const bare = path.join(work, `uncached-${bundler}`);
    fs.cpSync(app, bare, { recursive: true });
    fs.rmSync(path.join(bare, 'node_modules', '.cache'), { recursive: true, force: true });
    await buildSandboxed({ entry: path.join(bare, 'index.js'), outfile: path.join(bare, 'out.cjs'), bundler, cwd: bare, cache: false });
    expect(fs.existsSync(path.join(bare, 'node_modules', '.cache'))).toBe(false);
  });
});

describe.each(['esbuild', 'rollup'] as const)('import specifiers settled at transform time (%s)', (bundler) => {
  const app = path.join(work, `settled-${bundler}`);
  const victim = path.join(app, 'node_modules/victim/secret.js');
  writeTree(app, {
    'package.json': '{"name": "settled-app", "version": "1.0.0", "dependencies": {"sneaky": "1.0.0", "victim": "1.0.0"}}',
    'index.js': "const sneaky = require('sneaky');\nconsole.log(sneaky.local());\nconsole.log(sneaky.steal());\n",
    'node_modules/sneaky/package.json': '{"name": "sneaky", "version": "1.0.0"}',
    // Its own files by relative path (settled to absolute paths), and another package's file by an
    // absolute path the package wrote itself (must still be checked, and denied).
    'node_modules/sneaky/index.js': [
      "exports.local = () => require('./lib/helper').name + ' ' + require('../sneaky/lib/helper.js').name;",
      `exports.steal = () => { try { return require(${JSON.stringify(victim)}).secret; } catch (error) { return 'denied: ' + error.code; } };`,
      '',
    ].join('\n'),
    'node_modules/sneaky/lib/helper.js': "exports.name = 'helper';\n",
    'node_modules/victim/package.json': '{"name": "victim", "version": "1.0.0"}',
    'node_modules/victim/secret.js': "exports.secret = 'the secret';\n",
    'node_modules/victim/index.js': "module.exports = require('./secret');\n",
    'sandbox-policy.json': JSON.stringify({ resources: { sneaky: {} } }),
  });

  it("resolves a package's own files and refuses an absolute path into another package", async () => {
    const outfile = path.join(app, 'out.cjs');
    await buildSandboxed({ entry: path.join(app, 'index.js'), outfile, bundler, cwd: app });
    const result = run(outfile);
    expect(result.stdout).toBe('helper helper\ndenied: SB_PERMISSION_DENIED\n');
    expect(fs.readFileSync(outfile, 'utf8')).not.toContain('the secret');
  });
});

describe("esbuild's wrapped tree: reused only while nothing it was made from has changed", () => {
  let count = 0;
  /** A fresh app: greeter may use path.basename, and its index reads the policy's answer at run time. */
  const freshApp = () => {
    const app = path.join(work, `tree-${++count}`);
    writeTree(app, {
      'package.json': '{"name": "tree-app", "version": "1.0.0", "dependencies": {"greeter": "1.0.0"}}',
      'index.js': "console.log(require('greeter').greet('world'));\n",
      'node_modules/greeter/package.json': '{"name": "greeter", "version": "1.0.0"}',
      'node_modules/greeter/index.js': "const { basename } = require('./lib/name');\nexports.greet = (name) => `hello ${name} from ${basename(__dirname)}`;\n",
      'node_modules/greeter/lib/name.js': "exports.basename = require('path').basename;\n",
      'sandbox-policy.json': JSON.stringify({ resources: { greeter: { builtin: { 'path.basename': true } } } }),
    });
    return app;
  };
  const treeOf = (app: string) => path.join(app, 'node_modules/.cache/sandbox-bundle/wrapped');
  /** Builds `times` times; returns the last output's text and what running it printed. */
  const buildAndRun = async (app: string, times = 1) => {
    const outfile = path.join(app, 'out.cjs');
    for (let i = 0; i < times; i++) await buildSandboxed({ entry: path.join(app, 'index.js'), outfile, bundler: 'esbuild', cwd: app });
    return { text: fs.readFileSync(outfile, 'utf8'), ...run(outfile) };
  };

  it('links the tree from the first build on, and the second reuses it as it is', async () => {
    const app = freshApp();
    const first = await buildAndRun(app);
    expect(first.text).toContain('/wrapped/');
    const [tree] = fs.readdirSync(treeOf(app));
    const copy = path.join(treeOf(app), tree!, JSON.parse(fs.readFileSync(path.join(treeOf(app), tree!, 'plan.json'), 'utf8')).modules[path.join(app, 'node_modules/greeter/lib/name.js')].file);
    const written = fs.statSync(copy);
    const second = await buildAndRun(app);
    for (const result of [first, second]) expect(result.stdout).toBe('hello world from greeter\n');
    expect(second.text).toBe(first.text);
    // Reused, not written again: the same file, untouched.
    const reused = fs.statSync(copy);
    expect([reused.ino, reused.mtimeMs]).toEqual([written.ino, written.mtimeMs]);
  });

  it('does not reuse a copy whose original changed: an edit that reaches for `process` meets the policy', async () => {
    const app = freshApp();
    expect((await buildAndRun(app, 2)).stdout).toBe('hello world from greeter\n');
    fs.appendFileSync(path.join(app, 'node_modules/greeter/lib/name.js'), 'exports.pid = process.pid;\n');
    // A stale copy would not read `process` at all and the app would print its greeting.
    const edited = await buildAndRun(app);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(/TypeError: Cannot read properties of undefined \(reading 'pid'\)/);
  });

  it('trusts a settled file by its stat, and still notices an edit that keeps its size', async () => {
    const app = freshApp();
    const name = path.join(app, 'node_modules/greeter/lib/name.js');
    const planOf = (tree: string) => JSON.parse(fs.readFileSync(path.join(treeOf(app), tree, 'plan.json'), 'utf8'));
    // Files touched within 2 s of a check are hashed every time (a change inside the clock's granularity could keep the stat).
    expect((await buildAndRun(app)).stdout).toBe('hello world from greeter\n');
    const [first] = fs.readdirSync(treeOf(app));
    expect(planOf(first!).modules[name].stamp).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 2100));
    // A build that reuses the tree stamps what it had to hash...
    expect((await buildAndRun(app)).stdout).toBe('hello world from greeter\n');
    expect(planOf(first!).modules[name].stamp).toHaveLength(4);
    // ...and one that writes a tree (a new policy's) stamps what has settled.
    fs.writeFileSync(path.join(app, 'sandbox-policy.json'), JSON.stringify({ resources: { greeter: { builtin: { 'path.basename': true, 'path.join': true } } } }));
    expect((await buildAndRun(app)).stdout).toBe('hello world from greeter\n');
    const second = fs.readdirSync(treeOf(app)).find((tree) => tree !== first);
    expect(planOf(second!).modules[name].stamp).toHaveLength(4);
    // Same size, same mtime: only the ctime (which no one can set back) tells.
    const { atime, mtime, size } = fs.statSync(name);
    fs.writeFileSync(name, "exports.basename = () => 'edited same size';\n");
    fs.utimesSync(name, atime, mtime);
    expect(fs.statSync(name).size).toBe(size);
    expect((await buildAndRun(app)).stdout).toBe('hello world from edited same size\n');
  });

  it('gives a new policy a tree of its own: a withdrawn grant is not linked from the old one', async () => {
    const app = freshApp();
    expect((await buildAndRun(app, 2)).stdout).toBe('hello world from greeter\n');
    fs.writeFileSync(path.join(app, 'sandbox-policy.json'), JSON.stringify({ resources: { greeter: {} } }));
    const denied = await buildAndRun(app, 2);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/SB_PERMISSION_DENIED/);
    expect(fs.readdirSync(treeOf(app))).toHaveLength(2);
  });

  it("links the wrapped copy when the app reaches into node_modules by a relative path: one instance of the module", async () => {
    const app = freshApp();
    fs.writeFileSync(path.join(app, 'index.js'), "const greeter = require('greeter');\nconst name = require('./node_modules/greeter/lib/name.js');\nconsole.log(greeter.greet('world'), name.basename('/a/b'));\n");
    const built = await buildAndRun(app, 2);
    expect(built.stdout).toBe('hello world from greeter b\n');
    expect(built.text.match(/^\/\/ .*\/name\.js$/gm)).toHaveLength(1);
  });

  it("reports esbuild's warnings about a dependency's code as a build through the hooks does, wherever the cache is", async () => {
    const app = freshApp();
    // esbuild keeps this warning to code outside node_modules; a copy in a cache outside it must not bring it back.
    fs.appendFileSync(path.join(app, 'node_modules/greeter/lib/name.js'), 'exports.isNegativeZero = (x) => x === -0;\n');
    const outside = path.join(app, 'sandbox-cache');
    for (const cache of [false, outside, outside] as const) {
      const { warnings } = await buildSandboxed({ entry: path.join(app, 'index.js'), outfile: path.join(app, 'out.cjs'), bundler: 'esbuild', cwd: app, cache });
      expect(warnings).toEqual([]);
    }
    expect(fs.readFileSync(path.join(app, 'out.cjs'), 'utf8')).toContain('sandbox-cache/wrapped/');
    fs.appendFileSync(path.join(app, 'index.js'), 'exports.isNegativeZero = (x) => x === -0;\n');
    const { warnings } = await buildSandboxed({ entry: path.join(app, 'index.js'), outfile: path.join(app, 'out.cjs'), bundler: 'esbuild', cwd: app, cache: outside });
    expect(warnings).toEqual([expect.stringMatching(/^index\.js:2: Comparison with -0/)]);
  });

  it('a cache directory that cannot be written (a file stands there) does not fail the build', async () => {
    const app = freshApp();
    const cache = path.join(app, 'not-a-directory');
    fs.writeFileSync(cache, '');
    const outfile = path.join(app, 'out.cjs');
    for (let i = 0; i < 2; i++) await buildSandboxed({ entry: path.join(app, 'index.js'), outfile, bundler: 'esbuild', cwd: app, cache });
    expect(run(outfile).stdout).toBe('hello world from greeter\n');
  });

  it('an esbuild context looks at the plan again on each rebuild: an edit between rebuilds is wrapped afresh', async () => {
    const app = freshApp();
    expect((await buildAndRun(app, 2)).stdout).toBe('hello world from greeter\n');
    const outfile = path.join(app, 'watched.cjs');
    // The options buildSandboxed passes (source maps on): the same tree.
    const { context } = await import('esbuild');
    const { sandbox } = await import('../../plugins/esbuild/index.js');
    const ctx = await context({ entryPoints: [path.join(app, 'index.js')], outfile, bundle: true, platform: 'node', format: 'cjs', sourcemap: true, absWorkingDir: app, logLevel: 'silent', plugins: [sandbox({ policy: path.join(app, 'sandbox-policy.json') })] });
    try {
      await ctx.rebuild();
      expect(fs.readFileSync(outfile, 'utf8')).toContain('/wrapped/');
      expect(run(outfile).stdout).toBe('hello world from greeter\n');
      fs.appendFileSync(path.join(app, 'node_modules/greeter/lib/name.js'), 'exports.pid = process.pid;\n');
      await ctx.rebuild();
      const edited = run(outfile);
      expect(edited.code).toBe(1);
      expect(edited.stderr).toMatch(/TypeError: Cannot read properties of undefined \(reading 'pid'\)/);
    } finally {
      await ctx.dispose();
    }
  });

  it('does not reuse a tree made before an install: a new package.json (another main) is followed', async () => {
    const app = freshApp();
    expect((await buildAndRun(app, 2)).stdout).toBe('hello world from greeter\n');
    writeTree(app, {
      'node_modules/greeter/v2.js': "exports.greet = (name) => `hi ${name}`;\n",
      'node_modules/greeter/package.json': '{"name": "greeter", "version": "2.0.0", "main": "v2.js"}',
    });
    expect((await buildAndRun(app)).stdout).toBe('hi world\n');
    expect((await buildAndRun(app, 2)).stdout).toBe('hi world\n');
  });
});
