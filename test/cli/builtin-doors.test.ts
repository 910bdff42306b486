// End to end, as a user runs it: packages that read harmless members of worker_threads, v8 and module
// at load (as pino, undici, koa and yargs do) work with the generated policy and no hand grants, while
// Worker, child_process through createRequire, and writes to builtin modules stay denied.

import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertPolicy } from '../../src/policy/validate-policy.js';
import { scratchDir } from '../scratch.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repo, 'bin/sandbox-bundle.js');
const work = scratchDir('sb-doors-');
const app = path.join(work, 'app');

const ATTEMPT = `function attempt(fn) {
  try { return 'ok:' + String(fn()); } catch (e) { return (e.code || e.name) + (/Writes to builtin modules cannot be granted/.test(e.message) ? ':cannot-grant' : '') + (/: "write"/.test(e.message) ? ':suggests-write' : ''); }
}`;

const FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'doors-app', version: '1.0.0', private: true, dependencies: { prober: '1.0.0', workerish: '1.0.0', featurer: '1.0.0', 'esm-prober': '1.0.0' } }),
  'index.js': [
    "const prober = require('prober');",
    "const workerish = require('workerish');",
    "const featurer = require('featurer');",
    "const esm = require('esm-prober');",
    ATTEMPT,
    "console.log(prober.report().join('\\n'));",
    "console.log('worker=' + attempt(() => workerish.start()));",
    "console.log('feature=' + featurer.hasUncloneable);",
    "console.log(esm.report().join('\\n'));",
  ].join('\n'),
  // pino (isMainThread, createRequire), koa (v8.startupSnapshot.isBuildingSnapshot), and attacks through them.
  'node_modules/prober/package.json': JSON.stringify({ name: 'prober', version: '1.0.0', main: 'index.js' }),
  'node_modules/prober/index.js': [
    "const { isMainThread, threadId, Worker } = require('worker_threads');",
    "const v8 = require('node:v8');",
    "const { createRequire } = require('module');",
    "const EventEmitter = require('events');",
    "const path = require('path');",
    "const http = require('http');",
    ATTEMPT,
    'exports.report = () => {',
    '  const req = createRequire(__filename);',
    '  return [',
    "    'isMainThread=' + isMainThread,",
    "    'threadId=' + threadId,",
    "    'Worker=' + typeof Worker,",
    "    'building=' + Boolean(v8.startupSnapshot.isBuildingSnapshot()),",
    "    'basename=' + path.basename('/a/b.txt'),",
    "    'createRequire-path=' + attempt(() => req('path').basename('/c/d.txt')),",
    "    'createRequire-cp=' + attempt(() => req('child_process').execSync('echo pwned')),",
    "    'new-createRequire-cp=' + attempt(() => new createRequire(__filename)('child_process').execSync('echo pwned')),",
    "    'createRequire-file=' + attempt(() => req('/etc/passwd')),",
    "    'events-write=' + attempt(() => { EventEmitter.defaultMaxListeners = 1; }),",
    "    'agent-write=' + attempt(() => { http.globalAgent.maxSockets = 1; }),",
    '  ];',
    '};',
  ].join('\n'),
  // thread-stream: Worker only when a transport is used.
  'node_modules/workerish/package.json': JSON.stringify({ name: 'workerish', version: '1.0.0', main: 'index.js' }),
  'node_modules/workerish/index.js': "const { Worker } = require('worker_threads');\nexports.start = () => new Worker('require(\"child_process\").execSync(\"echo pwned\")', { eval: true });\n",
  // undici's runtime-features: the whole module from a lazy loader, a feature test on it.
  'node_modules/featurer/package.json': JSON.stringify({ name: 'featurer', version: '1.0.0', main: 'index.js' }),
  'node_modules/featurer/index.js': "const loaders = { wt: () => require('node:worker_threads') };\nconst mod = loaders.wt();\nexports.hasUncloneable = typeof mod.markAsUncloneable !== 'undefined';\n",
  // yargs-parser: createRequire imported statically and tested at load.
  'node_modules/esm-prober/package.json': JSON.stringify({ name: 'esm-prober', version: '1.0.0', type: 'module', main: 'index.js' }),
  'node_modules/esm-prober/index.js': [
    "import { createRequire } from 'node:module';",
    "import { isMainThread } from 'node:worker_threads';",
    'const require = createRequire ? createRequire(import.meta.url) : undefined;',
    ATTEMPT,
    'export function report() {',
    "  return ['esm-isMainThread=' + isMainThread, 'esm-require=' + typeof require, 'esm-cp=' + attempt(() => require('child_process'))];",
    '}',
  ].join('\n'),
};

const EXPECTED = [
  'isMainThread=true',
  'threadId=0',
  'Worker=undefined',
  'building=false',
  'basename=b.txt',
  'createRequire-path=ok:d.txt',
  'createRequire-cp=SB_PERMISSION_DENIED',
  'new-createRequire-cp=SB_PERMISSION_DENIED',
  'createRequire-file=MODULE_NOT_FOUND',
  'events-write=SB_PERMISSION_DENIED:cannot-grant',
  'agent-write=SB_PERMISSION_DENIED:cannot-grant',
  'worker=TypeError',
  'feature=false',
  'esm-isMainThread=true',
  'esm-require=function',
  'esm-cp=SB_PERMISSION_DENIED',
].join('\n');

function node(args: string[], cwd = work) {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const policyFile = path.join(app, 'sandbox-policy.json');

beforeAll(() => {
  for (const [file, content] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
    fs.writeFileSync(path.join(app, file), `${content}\n`);
  }
  const result = node([cli, 'policy', path.join(app, 'index.js'), '-o', policyFile]);
  expect(result.code, result.stderr).toBe(0);
});

describe('the generated policy', () => {
  it('grants the harmless members and writes the doors as false', () => {
    const { resources } = JSON.parse(fs.readFileSync(policyFile, 'utf8'));
    expect(resources.prober.builtin).toMatchObject({
      'worker_threads.isMainThread': true,
      'worker_threads.threadId': true,
      'worker_threads.Worker': false,
      'v8.startupSnapshot.isBuildingSnapshot': true,
      'module.createRequire': true,
    });
    expect(resources.workerish.builtin).toEqual({ 'worker_threads.Worker': false });
    expect(resources.featurer.builtin).toEqual({ worker_threads: false });
    expect(resources['esm-prober'].builtin).toEqual({ 'module.createRequire': true, 'worker_threads.isMainThread': true });
  });

  it('passes policy --check with no dangerous grant for them', () => {
    const result = node([cli, 'policy', path.join(app, 'index.js'), '--check', '-p', policyFile]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/!.*(worker_threads|module\.createRequire|v8)/);
  });
});

describe.each(['esbuild', 'rollup'])('a bundle built by %s with that policy and no override', (bundler) => {
  it('loads every package; harmless members work; Worker, child_process and writes to builtins stay denied', () => {
    const outfile = path.join(work, bundler, 'app.cjs');
    const build = node([cli, 'build', path.join(app, 'index.js'), '-o', outfile, '--policy', policyFile, '--bundler', bundler]);
    expect(build.code, build.stderr).toBe(0);
    const run = node([outfile]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(EXPECTED);
    expect(run.code).toBe(0);
  });
});

describe('a record run', () => {
  it('records a write to a builtin module as a grant the schema accepts, never "write"', () => {
    const empty = path.join(work, 'empty.json');
    fs.writeFileSync(empty, '{"resources": {}}');
    const outfile = path.join(work, 'record', 'app.cjs');
    const recorded = path.join(work, 'recorded.json');
    expect(node([cli, 'build', path.join(app, 'index.js'), '-o', outfile, '--policy', empty, '--mode', 'record', '--monitor-file', recorded]).code).toBe(0);
    expect(node([outfile]).code).toBe(0);
    const policy = JSON.parse(fs.readFileSync(recorded, 'utf8'));
    // Before: "http.globalAgent": "write", which the schema refuses for builtins.
    expect(policy.resources.prober.builtin['http.globalAgent.maxSockets']).toBe(true);
    expect(JSON.stringify(policy)).not.toContain('"write"');
    expect(() => assertPolicy(policy, recorded)).not.toThrow();
  });
});
