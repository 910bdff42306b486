// The policy command as a user runs it: where it writes, determinism, the override file, --check exit codes and diff text, usage errors.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../scratch.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(repo, 'test/fixtures');
const cli = path.join(repo, 'bin/sandbox-bundle.js');
const work = scratchDir('sb-policy-cli-');
const expectedPolicy = JSON.parse(fs.readFileSync(path.join(fixtures, 'policy-app/expected-policy.json'), 'utf8'));

function run(args: string[], cwd = repo) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A private copy of the fixture app, so a run that writes next to package.json never touches the repo. */
function copyApp(name: string): string {
  const dir = path.join(work, name);
  fs.cpSync(path.join(fixtures, 'policy-app'), dir, { recursive: true });
  fs.rmSync(path.join(dir, 'expected-policy.json'));
  return dir;
}

describe('sandbox-bundle policy <entry>', () => {
  let app: string;
  let first: ReturnType<typeof run>;
  const override = '{\n  "resources": { "door-opener": { "globals": { "process.exit": true } } }\n}\n';
  beforeAll(() => {
    app = copyApp('generate');
    fs.writeFileSync(path.join(app, 'policy-override.json'), override);
    first = run(['policy', 'index.js'], app);
  });

  it('writes sandbox-policy.json next to the app package.json by default, and exits 0', () => {
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toMatch(/wrote sandbox-policy\.json \(12 packages with grants; \d+ of \d+ modules inspected in [\d.]+ s\)/);
    expect(JSON.parse(fs.readFileSync(path.join(app, 'sandbox-policy.json'), 'utf8'))).toEqual(expectedPolicy);
  });

  it('writes stable JSON: sorted keys, two-space indent, trailing newline', () => {
    const text = fs.readFileSync(path.join(app, 'sandbox-policy.json'), 'utf8');
    expect(text).toBe(`${JSON.stringify(expectedPolicy, null, 2)}\n`);
  });

  it('rewrites the same bytes on regeneration and never touches policy-override.json', () => {
    const before = fs.readFileSync(path.join(app, 'sandbox-policy.json'), 'utf8');
    const again = run(['policy', 'index.js'], app);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('policy-override.json was left as it is and still applies on top.');
    expect(fs.readFileSync(path.join(app, 'sandbox-policy.json'), 'utf8')).toBe(before);
    expect(fs.readFileSync(path.join(app, 'policy-override.json'), 'utf8')).toBe(override);
  });

  it.each<[string, RegExp]>([
    ['a hidden door, not granted, with how to grant it', /package "door-opener" asked for process\.binding at node_modules\/door-opener\/index\.js:4; not granted \(written as globals\["process\.binding"\]: false\), grant it by hand in policy-override\.json if you trust it\./],
    ['a powerful builtin, not granted', /package "door-opener" asked for vm\.runInNewContext at node_modules\/door-opener\/index\.js:5; not granted/],
    ['a module-system door no policy can grant', /package "door-opener" uses require\.cache at node_modules\/door-opener\/index\.js:6; .*no policy can grant it/],
    ['a computed require with file and line', /package "computed-loader" has 4 places the analysis cannot resolve[^\n]*\n\s+node_modules\/computed-loader\/index\.js:2: require\('\.\/locales\/' \+ name\) -- require\(\) of a computed specifier/],
    ['a computed import()', /node_modules\/computed-loader\/index\.js:3: import\(name\) -- import\(\) of a computed specifier/],
    ['a computed global', /node_modules\/computed-loader\/index\.js:4: globalThis\[name\] -- a global is read by a computed name/],
    ['an optional dependency that is not installed', /node_modules\/computed-loader\/index\.js:7: not-installed-optional -- "not-installed-optional" does not resolve/],
  ])('reports %s', (_name, pattern) => {
    expect(first.stderr).toMatch(pattern);
  });

  it('writes where -o says', () => {
    const out = path.join(work, 'elsewhere', 'p.json');
    expect(run(['policy', path.join(app, 'index.js'), '-o', out]).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(expectedPolicy);
  });

  it('produces a policy the sandboxed bundle runs with', () => {
    const out = path.join(work, 'run');
    expect(run(['policy', path.join(app, 'index.js'), '-o', path.join(out, 'sandbox-policy.json')]).code).toBe(0);
    const build = run(['build', path.join(app, 'index.js'), '-o', path.join(out, 'app.cjs'), '--policy', path.join(out, 'sandbox-policy.json')]);
    expect(build.stderr).toContain('wrote');
    const result = spawnSync(process.execPath, [path.join(out, 'app.cjs')], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('a uses b 1.0.0 2.0.0 patcher\nwritten\nstring string string false number function\n');
  });
});

describe('sandbox-bundle policy --check', () => {
  const entry = path.join(fixtures, 'policy-app/index.js');
  const check = (policy: string, ...extra: string[]) => run(['policy', entry, '--check', '--policy', policy, ...extra]);

  it('exits 0 when the policy covers the code', () => {
    const result = check(path.join(fixtures, 'policy-app/expected-policy.json'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^sandbox-bundle: test\/fixtures\/policy-app\/expected-policy\.json covers what the code needs \(13 packages inspected\)\.\n/);
    expect(result.stdout).not.toMatch(/^ {2}[+?]/m);
  });

  it('exits 1 and prints a readable diff per package when the code needs more', () => {
    const result = check(path.join(fixtures, 'policy-check/stale/sandbox-policy.json'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        'sandbox-bundle: test/fixtures/policy-check/stale/sandbox-policy.json lacks 6 grants and 1 hidden-door decision the code now needs, in 6 packages.',
        '  + needed by the code, missing from the policy   - granted, no longer needed   ? hidden door nobody decided on   ! dangerous',
        '',
        'door-opener',
        '  ? ! globals  process.exit                 hidden door, asked for but never granted by generation  at node_modules/door-opener/index.js:7',
        'left-over  (not in the bundle any more)',
        '  -   globals  console',
        'member-paths',
        '  +   builtin  fs.readFileSync               at node_modules/member-paths/index.js:7',
        '  +   globals  process.cwd                   at node_modules/member-paths/index.js:8',
        '  -   builtin  os.hostname',
        'native-addon',
        '  + ! native   native                       native code runs outside the sandbox  at node_modules/native-addon/index.js:3',
        'patcher',
        "  + ! packages b (write)                    may change the package's exports for everyone  at node_modules/patcher/index.js:3",
        'spawner',
        '  + ! builtin  child_process.execFile       runs other programs  at node_modules/spawner/index.js:6',
        'writer',
        '  + ! globals  process.env (write)          changes environment variables for every package  at node_modules/writer/index.js:3',
        '',
        'Review the lines marked + and ?, then run sandbox-bundle policy <entry> to regenerate the policy (hidden doors are recorded as false; grant one by hand in policy-override.json only if you trust the package).',
        '4 places in the code could not be resolved by the analysis (sandbox-bundle policy lists them); no policy check can cover them.',
        '',
      ].join('\n'),
    );
  });

  it('counts grants from policy-override.json next to the policy as covering, and exits 0', () => {
    const result = check(path.join(fixtures, 'policy-check/overridden/sandbox-policy.json'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('overridden/sandbox-policy.json + test/fixtures/policy-check/overridden/policy-override.json covers what the code needs');
    // Unused grants are listed, but only a person decides to drop them.
    expect(result.stdout).toContain('  -   builtin  os.hostname\n');
    expect(result.stdout).toContain('2 grants are no longer needed');
  });

  it('takes --policy-override to name the override', () => {
    const result = check(path.join(fixtures, 'policy-check/stale/sandbox-policy.json'), '--policy-override', path.join(fixtures, 'policy-check/overridden/policy-override.json'));
    expect(result.code).toBe(0);
  });

  it('fails with a clear error when the policy file is missing', () => {
    const result = check(path.join(work, 'none.json'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/policy file ".*none\.json" does not exist/);
  });
});

describe('sandbox-bundle policy: usage errors exit 2', () => {
  it.each<[string, string[], RegExp]>([
    ['no entry', ['policy'], /policy needs the app's entry file/],
    ['-o policy-override.json', ['policy', 'test/fixtures/policy-app/index.js', '-o', path.join(work, 'policy-override.json')], /refusing to write .*policy-override\.json.*never generated/],
    ['--check with -o', ['policy', 'test/fixtures/policy-app/index.js', '--check', '-o', 'x.json'], /--check writes nothing/],
    ['--policy without --check', ['policy', 'test/fixtures/policy-app/index.js', '--policy', 'x.json'], /only apply with --check/],
    ['--from-lavamoat with an entry', ['policy', 'index.js', '--from-lavamoat', 'x.json'], /pass no entry/],
  ])('%s', (_name, args, pattern) => {
    const result = run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(fs.existsSync(path.join(work, 'policy-override.json'))).toBe(false);
  });

  it('a missing entry is a failure with the path it looked at', () => {
    const result = run(['policy', 'nope/index.js', '-o', path.join(work, 'nope.json')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/entry file "nope\/index\.js" does not exist/);
  });
});
