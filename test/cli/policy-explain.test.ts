// The explain command: a package's grants, the files and lines behind each, its hidden doors and unresolved code, and who imports it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const app = path.join(repo, 'test/fixtures/policy-app');
const cli = path.join(repo, 'bin/sandbox-bundle.js');

function explain(args: string[], cwd = app) {
  const result = spawnSync(process.execPath, [cli, 'explain', ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('sandbox-bundle explain', () => {
  it('shows what a package may do and the lines that asked for it', () => {
    const result = explain(['member-paths', '--policy', 'expected-policy.json']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'member-paths  (node_modules/member-paths, 1 module in the bundle)',
        '  policy: expected-policy.json',
        '',
        'may use',
        '    builtin  fs.readFile                   asked for at node_modules/member-paths/index.js:6',
        '    builtin  fs.readFileSync               asked for at node_modules/member-paths/index.js:7',
        '    builtin  path.join                     asked for at node_modules/member-paths/index.js:6',
        '    globals  process.cwd                   asked for at node_modules/member-paths/index.js:8',
        '    globals  process.env                   asked for at node_modules/member-paths/index.js:5',
        '',
        'imported by',
        '  $root$               index.js',
        '',
      ].join('\n'),
    );
  });

  it.each<[string, string[], RegExp[]]>([
    ['dangerous grants are marked', ['spawner', '--policy', 'expected-policy.json'], [/^ {2}! builtin {2}child_process\.execFile +runs other programs {2}asked for at node_modules\/spawner\/index\.js:6$/m, /^ {2}! builtin {2}fs\.writeFileSync +writes files/m, /^ {2}! builtin {2}http\.createServer +network access/m]],
    ['hidden doors asked for, with lines', ['door-opener', '--policy', 'expected-policy.json'], [/nothing: the policy grants this package nothing/, /^ {2}! process\.binding +at node_modules\/door-opener\/index\.js:4; grant it by hand in policy-override\.json/m, /^ {2}! require\.cache +at node_modules\/door-opener\/index\.js:6; no policy can grant it/m]],
    ['code the analysis cannot resolve', ['computed-loader'], [/not resolved by the analysis/, /node_modules\/computed-loader\/index\.js:2: require\('\.\/locales\/' \+ name\)/]],
    ['a nested package and its importer', ['a>b', '--policy', 'expected-policy.json'], [/^a>b {2}\(node_modules\/a\/node_modules\/b, 1 module in the bundle\)$/m, /other copies in the bundle: b/, /^ {4}globals {2}process\.pid +asked for at node_modules\/a\/node_modules\/b\/index\.js:3$/m, /^imported by\n {2}a +node_modules\/a\/index\.js$/m]],
    ['needs the policy lacks, when there is no policy file', ['b'], [/policy: none \(no sandbox-policy\.json\)/, /needs, but the policy does not grant\n {4}builtin {2}os\.hostname +asked for at node_modules\/b\/index\.js:4/]],
    ['a grant the code does not use', ['b', '--policy', path.join(repo, 'test/fixtures/policy-check/stale/sandbox-policy.json')], [/^ {4}builtin {2}os +asked for at node_modules\/b\/index\.js:4$/m]],
    ['a stale grant with no use', ['member-paths', '--policy', path.join(repo, 'test/fixtures/policy-check/stale/sandbox-policy.json')], [/^ {4}builtin {2}os\.hostname +not found in the code \(granted by hand, or no longer used\)$/m, /needs, but the policy does not grant\n {4}builtin {2}fs\.readFileSync/]],
  ])('%s', (_name, args, patterns) => {
    const result = explain(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const pattern of patterns) expect(result.stdout).toMatch(pattern);
  });

  it('takes --entry from anywhere', () => {
    const result = explain(['writer', '--entry', path.join(app, 'index.js'), '--policy', path.join(app, 'expected-policy.json')], repo);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}! globals {2}process\.env \(write\) +changes environment variables for every package {2}asked for at node_modules\/writer\/index\.js:3$/m);
  });

  it.each<[string, string[], number, RegExp]>([
    ['an unknown package', ['left-pad'], 1, /no package "left-pad" in the bundle of "index\.js"/],
    ['a name that only matches a nested copy', ['c>b'], 1, /no package "c>b".*Did you mean "a>b" or "b"\?/],
    ['the app itself', ['$root$'], 2, /"\$root\$" is the app itself/],
  ])('refuses %s', (_name, args, code, pattern) => {
    const result = explain(args);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(pattern);
  });
});
