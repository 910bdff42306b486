// The policy command on an ESM app with top-level await (which esbuild's cjs output format refuses),
// and on sloppy CommonJS (which its esm output format refuses): both graphs are found.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../scratch.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = path.join(repo, 'test/fixtures/policy-tla-app');
const cli = path.join(repo, 'bin/sandbox-bundle.js');
const work = scratchDir('sb-policy-tla-');

function run(args: string[], cwd = repo) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const TLA_POLICY = { resources: { 'tla-dep': { builtin: { 'os.platform': true, 'path.join': true } } } };

describe('sandbox-bundle policy on an entry with top-level await', () => {
  // A private copy: the policy is written next to the app's package.json.
  const app = path.join(work, 'app');
  let generated: ReturnType<typeof run>;
  beforeAll(() => {
    fs.cpSync(fixture, app, { recursive: true });
    generated = run(['policy', 'index.js'], app);
  });

  it('writes the dependency\'s grants, found through the ESM modules that await at top level', () => {
    expect(generated.stderr).not.toMatch(/Top-level await|esbuild failed/);
    expect(generated.code).toBe(0);
    expect(generated.stderr).toMatch(/wrote sandbox-policy\.json \(1 package with grants; 1 of 2 modules inspected in [\d.]+ s\)/);
    expect(JSON.parse(fs.readFileSync(path.join(app, 'sandbox-policy.json'), 'utf8'))).toEqual(TLA_POLICY);
  });

  it('--check and explain find the same graph', () => {
    const check = run(['policy', 'index.js', '--check'], app);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/sandbox-policy\.json covers what the code needs \(1 package inspected\)/);
    const explain = run(['explain', 'tla-dep', '--entry', 'index.js'], app);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/may use\n.*builtin\s+os\.platform.*\n.*builtin\s+path\.join/);
    expect(explain.stdout).toMatch(/imported by\n\s+\$root\$\s+index\.js/);
  });

  it.each(['esbuild', 'rollup'])('gives a policy the sandboxed esm bundle runs with (%s)', (bundler) => {
    const outfile = path.join(work, `out-${bundler}`, 'app.mjs');
    const build = run(['build', 'index.js', '-o', outfile, '--bundler', bundler], app);
    expect(build.code, build.stderr).toBe(0);
    const result = spawnSync(process.execPath, [outfile], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('ready a/b string\n');
  });
});

describe('sandbox-bundle policy on sloppy CommonJS (a `with` statement)', () => {
  it('still finds the graph: esm output is only tried for top-level await', () => {
    const out = path.join(work, 'sloppy-policy.json');
    const result = run(['policy', path.join(fixture, 'sloppy.cjs'), '-o', out]);
    expect(result.stderr).not.toMatch(/esbuild failed/);
    expect(result.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual({ resources: { 'sloppy-with': { builtin: { 'util.format': true } } } });
  });
});
