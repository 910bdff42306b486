// generatePolicy on a fixture app whose expected policy is written by hand: member paths, aliasing, writes, nested and duplicate packages, doors, unresolvable code.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePolicy, type PolicyGeneration } from '../../src/analysis/generate-policy.js';
import { SandboxError } from '../../src/errors.js';
import { assertPolicy } from '../../src/policy/validate-policy.js';
import { stringifyPolicy } from '../../src/policy/serialize-policy.js';
import { scratchDir } from '../scratch.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const app = path.join(fixtures, 'policy-app');
const expectedPolicy = JSON.parse(fs.readFileSync(path.join(app, 'expected-policy.json'), 'utf8'));
const rel = (file: string) => path.relative(app, file).split(path.sep).join('/');

describe('generatePolicy on test/fixtures/policy-app', () => {
  let generation: PolicyGeneration;
  beforeAll(async () => {
    generation = await generatePolicy({ entry: path.join(app, 'index.js') });
  });

  it('finds the hand-written expected policy', () => {
    expect(generation.policy).toEqual(expectedPolicy);
  });

  it.each(Object.keys(expectedPolicy.resources))('package %s gets exactly its expected entry', (name) => {
    expect(generation.policy.resources[name]).toEqual(expectedPolicy.resources[name]);
  });

  it('is a valid policy', () => {
    expect(() => assertPolicy(generation.policy, 'generated')).not.toThrow();
  });

  it('gives the app itself ($root$) no entry: it is unrestricted', () => {
    expect(Object.keys(generation.policy.resources)).not.toContain('$root$');
  });

  it('grants "write" on a package only to the package that changes its exports', () => {
    expect(generation.policy.resources.patcher.packages).toEqual({ b: 'write' });
    expect(generation.packages.get('patcher')!.exportWrites.get('b')!.map((site) => `${rel(site.file)}:${site.line}`)).toEqual(['node_modules/patcher/index.js:3']);
  });

  it('tells two versions of one package apart by dependency path', () => {
    expect(generation.packages.get('b')?.dir).toBe(path.join(app, 'node_modules/b'));
    expect(generation.packages.get('a>b')?.dir).toBe(path.join(app, 'node_modules/a/node_modules/b'));
    expect(generation.policy.resources.a.packages).toEqual({ 'a>b': true });
  });

  it.each<[string, string, string, string]>([
    ['door-opener', 'global', 'process.binding', 'node_modules/door-opener/index.js:4'],
    ['door-opener', 'global', 'process.exit', 'node_modules/door-opener/index.js:7'],
    ['door-opener', 'builtin', 'vm.runInNewContext', 'node_modules/door-opener/index.js:5'],
    ['door-opener', 'module', 'require.cache', 'node_modules/door-opener/index.js:6'],
  ])('reports %s asking for the %s door %s at %s, without granting it', (name, kind, permission, where) => {
    const door = generation.packages.get(name)?.doors.find((d) => d.kind === kind && d.permission === permission);
    expect(door).toBeDefined();
    expect(door!.sites.map((site) => `${rel(site.file)}:${site.line}`)).toEqual([where]);
    const entry = generation.policy.resources[name];
    expect({ ...entry.globals, ...entry.builtin }[permission] ?? false).toBe(false);
  });

  it('reports every place it cannot resolve, with file and line, and grants nothing for them', () => {
    const found = generation.packages.get('computed-loader')!;
    expect(found.unresolved.map((u) => `${rel(u.site.file)}:${u.site.line} ${u.code}`)).toEqual([
      "node_modules/computed-loader/index.js:2 require('./locales/' + name)",
      'node_modules/computed-loader/index.js:3 import(name)',
      'node_modules/computed-loader/index.js:4 globalThis[name]',
      'node_modules/computed-loader/index.js:7 not-installed-optional',
    ]);
    expect(generation.policy.resources['computed-loader']).toBeUndefined();
  });

  it('keeps the sites behind each grant', () => {
    const sites = generation.packages.get('member-paths')!.builtin.get('fs.readFile')!;
    expect(sites.map((site) => `${rel(site.file)}:${site.line}:${site.column}`)).toEqual(['node_modules/member-paths/index.js:6:32']);
  });

  it('records who imports each package, the app included', () => {
    expect(generation.importers.get('a>b')?.map((edge) => [edge.from, rel(edge.file), edge.line])).toEqual([['a', 'node_modules/a/index.js', 1]]);
    expect(generation.importers.get('b')?.map((edge) => [edge.from, rel(edge.file), edge.line])).toEqual([
      ['$root$', 'index.js', undefined],
      ['patcher', 'node_modules/patcher/index.js', 2],
    ]);
  });

  it('never runs a Babel config found in a package folder', () => {
    expect(generation.packages.get('babel-config-trap')?.unresolved).toEqual([]);
  });

  it('is deterministic: a second run serializes to the same bytes', async () => {
    const again = await generatePolicy({ entry: path.join(app, 'index.js') });
    expect(stringifyPolicy(again.policy)).toBe(stringifyPolicy(generation.policy));
  });

  it('inspects only the packages asked for, but still maps every import', async () => {
    const partial = await generatePolicy({ entry: path.join(app, 'index.js'), inspect: (name) => name === 'b' });
    expect([...partial.packages.keys()]).toEqual(['b']);
    expect(partial.importers.get('a>b')?.[0].from).toBe('a');
  });
});

describe('generatePolicy reduction', () => {
  it('folds member paths into a whole grant that covers them, keeping their sites; a write is only covered by a write', async () => {
    const dir = scratchDir('sb-policy-fold-');
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    };
    write('package.json', '{"name":"fold-app","dependencies":{"folder":"1.0.0"}}');
    write('index.js', "require('folder');");
    write('node_modules/folder/package.json', '{"name":"folder","version":"1.0.0"}');
    write(
      'node_modules/folder/index.js',
      ["const fs = require('fs');", 'fs.readFile(__filename, () => {});', 'module.exports = fs;', 'process.env.X;', 'process.title = "x";', 'console.log(process);'].join('\n'),
    );
    const generation = await generatePolicy({ entry: path.join(dir, 'index.js') });
    expect(generation.policy.resources.folder).toEqual({ builtin: { fs: true }, globals: { 'console.log': true, process: true, 'process.title': 'write' } });
    const found = generation.packages.get('folder')!;
    expect(found.builtin.get('fs')!.map((site) => site.line)).toEqual([2, 3]);
    expect(found.globals.get('process')!.sites.map((site) => site.line)).toEqual([4, 6]);
  });
});

describe('generatePolicy input errors', () => {
  it('says a missing entry does not exist', async () => {
    await expect(generatePolicy({ entry: path.join(app, 'nope.js') })).rejects.toMatchObject({ code: 'SB_ENTRY_NOT_FOUND' });
  });

  it('lists what esbuild cannot resolve when the app does not bundle', async () => {
    const error = await generatePolicy({ entry: path.join(fixtures, 'policy-broken-app', 'index.js') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect((error as SandboxError).code).toBe('SB_BUILD_FAILED');
    expect((error as SandboxError).message).toMatch(/index\.js:2:\d+: Could not resolve "missing-package"/);
  });
});
