// Warn and record builds: violations allowed and reported once; a recorded run yields a policy that enforces.

import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from '../scratch.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const entry = path.join(repo, 'test/fixtures/mini-app/index.js');
const cli = path.join(repo, 'bin/sandbox-bundle.js');
const work = scratchDir('sb-modes-');
const emptyPolicy = path.join(work, 'empty.json');
fs.writeFileSync(emptyPolicy, '{"resources": {}}');

function node(args: string[], cwd = work) {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('--mode warn', () => {
  it('runs the app, reporting each violation once with the package and the grant to add', () => {
    const outfile = path.join(work, 'warn.cjs');
    expect(node([cli, 'build', entry, '-o', outfile, '--policy', emptyPolicy, '--mode', 'warn']).code).toBe(0);
    const result = node([outfile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('hello world from greeter\n');
    const warnings = result.stderr.trim().split('\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/warning \(allowed in warn mode\): package "greeter" may not use builtin "path".*First use: .*greeter/);
  });

  it('writes JSON Lines to a monitor file when given one', () => {
    const outfile = path.join(work, 'warn-file.cjs');
    const report = path.join(work, 'warn.jsonl');
    expect(node([cli, 'build', entry, '-o', outfile, '--policy', emptyPolicy, '--mode', 'warn', '--monitor-file', report]).code).toBe(0);
    expect(node([outfile]).stderr).toBe('');
    expect(fs.readFileSync(report, 'utf8').trim().split('\n').map((line) => JSON.parse(line))).toMatchObject([{ package: 'greeter', kind: 'builtin', permission: 'path' }]);
  });
});

describe('--mode record', () => {
  it('records what a run used as a policy, and that policy then enforces with the app still working', () => {
    const recorder = path.join(work, 'record.cjs');
    const recorded = path.join(work, 'recorded-policy.json');
    expect(node([cli, 'build', entry, '-o', recorder, '--policy', emptyPolicy, '--mode', 'record', '--monitor-file', recorded]).code).toBe(0);
    expect(node([recorder]).stdout).toBe('hello world from greeter\n');
    expect(JSON.parse(fs.readFileSync(recorded, 'utf8'))).toEqual({ resources: { greeter: { builtin: { 'path.basename': true } } } });

    const enforced = path.join(work, 'enforced.cjs');
    expect(node([cli, 'build', entry, '-o', enforced, '--policy', recorded]).code).toBe(0);
    expect(node([enforced])).toMatchObject({ code: 0, stdout: 'hello world from greeter\n', stderr: '' });
  });

  it('adds up several runs in one record file', () => {
    const recorder = path.join(work, 'record2.cjs');
    const recorded = path.join(work, 'recorded2.json');
    fs.writeFileSync(recorded, JSON.stringify({ resources: { thrower: { globals: { console: true } } } }));
    expect(node([cli, 'build', entry, '-o', recorder, '--policy', emptyPolicy, '--mode', 'record', '--monitor-file', recorded]).code).toBe(0);
    node([recorder]);
    expect(JSON.parse(fs.readFileSync(recorded, 'utf8')).resources).toEqual({ greeter: { builtin: { 'path.basename': true } }, thrower: { globals: { console: true } } });
  });
});

describe('--mode record and what no policy can grant', () => {
  it("reports another package's file descriptors on stderr and records only valid grants", async () => {
    const fixture = path.join(repo, 'e2e/fixtures/fd-scanning');
    const recorder = path.join(work, 'record-fd.cjs');
    const recorded = path.join(work, 'recorded-fd.json');
    const build = node([cli, 'build', path.join(fixture, 'index.js'), '-o', recorder, '--policy', path.join(fixture, 'sandbox-policy.json'), '--mode', 'record', '--monitor-file', recorded]);
    expect(build.code).toBe(0);
    const run = node([recorder]);
    expect(run.stderr).toMatch(/warning \(allowed in record mode\): package "fd-scanner" may not use builtin "fs \(file descriptor \d+, opened by someone else\)"/);
    const text = fs.readFileSync(recorded, 'utf8');
    expect(text).not.toContain('file descriptor');
    const { assertPolicy } = await import('../../src/policy/index.js');
    expect(() => assertPolicy(JSON.parse(text), recorded)).not.toThrow();
  });
});

describe('sandbox-bundle policy --from-record', () => {
  it('merges a recorded run into the generated policy, leaving hidden doors to a person', () => {
    const recorded = path.join(work, 'record-for-merge.json');
    fs.writeFileSync(recorded, JSON.stringify({ resources: { thrower: { globals: { console: true, 'process.binding': true }, builtin: { vm: true } } } }));
    const merged = path.join(work, 'merged-policy.json');
    const result = node([cli, 'policy', entry, '--from-record', recorded, '-o', merged]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/package "thrower" used global "process\.binding" in the recorded run; not merged/);
    expect(result.stderr).toMatch(/package "thrower" used builtin "vm" in the recorded run; not merged/);
    const policy = JSON.parse(fs.readFileSync(merged, 'utf8'));
    expect(policy.resources.thrower).toEqual({ globals: { console: true } });
    expect(policy.resources.greeter.builtin).toMatchObject({ 'path.basename': true });
  });
});
