// What policy --check compares: coverage as the runtime judges it, stale grants, undecided hidden doors, and which grants are marked dangerous.
import { describe, expect, it } from 'vitest';
import { describeDanger, diffPolicies, type PackagePolicy, type PolicyFile } from '../../src/policy/index.js';

const policy = (entry: PackagePolicy, name = 'p'): PolicyFile => ({ resources: { [name]: entry } });

/** The diff of one package as `+field:key`, `-field:key`, `?field:key` lines. */
function lines(needed: PackagePolicy, committed: PackagePolicy, override?: PackagePolicy): string[] {
  const effective = override ? policy({ ...committed, ...override }) : undefined;
  const [diff] = diffPolicies(policy(needed), policy(committed), effective);
  if (!diff) return [];
  return [
    ...diff.added.map((g) => `+${g.field}:${g.key}${g.value === 'write' ? ':write' : ''}`),
    ...diff.removed.map((g) => `-${g.field}:${g.key}`),
    ...diff.doors.map((d) => `?${d.field}:${d.key}`),
  ];
}

describe('diffPolicies', () => {
  it.each<[string, PackagePolicy, PackagePolicy, string[]]>([
    ['identical', { globals: { console: true } }, { globals: { console: true } }, []],
    ['a missing global', { globals: { console: true } }, {}, ['+globals:console']],
    ['a member covered by its parent', { globals: { 'process.env': true } }, { globals: { process: true } }, []],
    ['a parent not covered by a member', { globals: { process: true } }, { globals: { 'process.env': true } }, ['+globals:process']],
    ['a read covered by a write', { globals: { x: true } }, { globals: { x: 'write' } }, []],
    ['a write not covered by a read', { globals: { 'process.env': 'write' } }, { globals: { 'process.env': true } }, ['+globals:process.env:write']],
    ['node: prefixes are the same builtin', { builtin: { 'fs.readFile': true } }, { builtin: { 'node:fs': true } }, []],
    ['false is not a grant', { builtin: { 'fs.readFile': true } }, { builtin: { 'fs.readFile': false } }, ['+builtin:fs.readFile']],
    ['packages need their exact name', { packages: { 'a>b': true } }, { packages: { b: true } }, ['+packages:a>b', '-packages:b']],
    ['native', { native: true }, { native: false }, ['+native:native']],
    ['a grant no longer used', {}, { builtin: { 'os.hostname': true } }, ['-builtin:os.hostname']],
    ['a broad grant still used through a member', { builtin: { 'fs.readFile': true } }, { builtin: { fs: true } }, []],
    ['an undecided hidden door', { globals: { 'process.binding': false } }, { globals: { process: true } }, ['-globals:process', '?globals:process.binding']],
    ['a door decided as false', { globals: { 'process.binding': false } }, { globals: { 'process.binding': false } }, []],
    ['a powerful builtin decided above the member', { builtin: { 'vm.runInNewContext': false } }, { builtin: { vm: false } }, []],
  ])('%s', (_name, needed, committed, expected) => {
    expect(lines(needed, committed)).toEqual(expected);
  });

  it('judges coverage on the effective policy but staleness on the committed file only', () => {
    // The override grants what was missing; its own extra grant is a person's decision, never "stale".
    expect(lines({ globals: { console: true } }, {}, { globals: { console: true, extra: true } })).toEqual([]);
  });

  it('lists a package only in the committed policy as all removed', () => {
    const diffs = diffPolicies({ resources: {} }, policy({ globals: { console: true } }, 'gone'));
    expect(diffs).toEqual([{ name: 'gone', added: [], removed: [{ field: 'globals', key: 'console', value: true }], doors: [] }]);
  });

  it('does not find Object.prototype members for odd package names', () => {
    expect(diffPolicies(policy({ globals: { x: true } }, 'constructor'), { resources: {} })[0].added).toHaveLength(1);
  });
});

describe('describeDanger', () => {
  it.each<[Parameters<typeof describeDanger>, string | undefined]>([
    [['builtin', 'child_process.spawn'], 'runs other programs'],
    [['builtin', 'node:child_process'], 'runs other programs'],
    [['builtin', 'fs.writeFileSync'], 'writes files'],
    [['builtin', 'fs.promises.rm'], 'writes files'],
    [['builtin', 'fs/promises.appendFile'], 'writes files'],
    [['builtin', 'fs'], 'reads and writes any file'],
    [['builtin', 'fs.promises'], 'reads and writes any file'],
    [['builtin', 'fs.readFile'], undefined],
    [['builtin', 'http.request'], 'network access'],
    [['builtin', 'net'], 'network access'],
    [['builtin', 'vm'], 'reaches outside the sandbox'],
    [['builtin', 'path.join'], undefined],
    [['globals', 'process.env', 'write'], 'changes environment variables for every package'],
    [['globals', 'process.env', true], undefined],
    [['globals', 'process.binding', true], 'hidden door: full authority over the process'],
    [['globals', 'myLib', 'write'], 'changes a global for every package'],
    [['globals', 'fetch', true], 'network access'],
    [['globals', 'console.log', true], undefined],
    [['globals', 'Error', true], "the host Error: structured stack frames of other packages' code"],
    [['native', 'native', true], 'native code runs outside the sandbox'],
    [['packages', 'a>b', true], undefined],
  ])('%j -> %s', (args, expected) => {
    expect(describeDanger(...args)).toBe(expected);
  });
});
