// The runtime from source with a fake host: builtins named only with `false` entries, the scoped
// module.createRequire, and what a denied write to a builtin module says.

import { describe, it, expect } from 'vitest';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import hostV8 from 'node:v8';
import os from 'node:os';
import path from 'node:path';
import { createSandbox } from '../../src/runtime/index.js';
import { createHost, powers } from './fake-host.js';
import type { RuntimePolicy } from '../../src/policy/types.js';
import { resolveRuntimePolicy, type PolicyFile } from '../../src/policy/index.js';

/** A sandbox for a policy as written in a file: resolved exactly as a build resolves it. */
function sandboxFor(resources: PolicyFile['resources'], mode?: 'warn' | 'record', monitorFile?: string) {
  const policy: RuntimePolicy = resolveRuntimePolicy({ resources });
  return createSandbox(createHost(), powers, { policy, lockdownOptions: {}, ...(mode ? { mode } : {}), ...(monitorFile ? { monitorFile } : {}) });
}

function errorOf(fn: () => unknown): { code?: string; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error as { code?: string; message: string };
  }
}

const codeOf = (fn: () => unknown) => errorOf(fn)?.code;

describe('a builtin the policy names only with false entries', () => {
  it('loads (pino>thread-stream: "worker_threads.Worker": false): the denied member is absent, nothing else is there', () => {
    const sandbox = sandboxFor({ 'thread-stream': { builtin: { 'worker_threads.Worker': false } } });
    const wt = sandbox.builtin('thread-stream', 'worker_threads') as any;
    expect(wt.Worker).toBeUndefined();
    expect(wt.parentPort).toBeUndefined();
    expect(wt.isMainThread).toBeUndefined();
    expect(Object.keys(wt)).toEqual([]);
    // `const { Worker } = require('worker_threads')` at load works; using it is what fails.
    const { Worker } = wt;
    expect(() => new Worker('process.exit()', { eval: true })).toThrow(TypeError);
  });

  it('loads through node: and through a computed require too', () => {
    const sandbox = sandboxFor({ a: { builtin: { 'worker_threads.Worker': false } } });
    expect(codeOf(() => sandbox.builtin('a', 'node:worker_threads'))).toBeUndefined();
    expect((sandbox.scope('a').require('worker_threads') as any).Worker).toBeUndefined();
    expect((sandbox.scope('a').require('node:worker_threads') as any).Worker).toBeUndefined();
  });

  it('a whole-module false loads an empty facade too (undici: "worker_threads": false), even of a callable module', () => {
    const sandbox = sandboxFor({ a: { builtin: { worker_threads: false, 'worker_threads.markAsUncloneable': false, module: false, child_process: false } } });
    const wt = sandbox.builtin('a', 'worker_threads') as any;
    // undici's feature test: `typeof module[property] !== 'undefined'`
    expect(typeof wt.markAsUncloneable).toBe('undefined');
    const cp = sandbox.builtin('a', 'child_process') as any;
    expect(cp.execSync).toBeUndefined();
    expect(cp.spawn).toBeUndefined();
    // require('module') is Node's Module function; with nothing granted its facade is not callable.
    const mod = sandbox.builtin('a', 'module') as any;
    expect(typeof mod).toBe('object');
    expect(mod.createRequire).toBeUndefined();
    expect(mod._load).toBeUndefined();
  });

  it('a builtin the policy does not name at all is still refused at require time, naming the policy entry', () => {
    const sandbox = sandboxFor({ a: { builtin: { 'worker_threads.Worker': false } }, b: { builtin: { 'v8.startupSnapshot': false } } });
    const error = errorOf(() => sandbox.builtin('a', 'child_process'));
    expect(error?.code).toBe('SB_PERMISSION_DENIED');
    expect(error?.message).toMatch(/package "a" may not use builtin "child_process" \(policy resources\["a"\]\.builtin\)\. Add "child_process": true/);
    // Per package: b's "no" on worker_threads is not b's; a's v8 is not named.
    expect(codeOf(() => sandbox.builtin('b', 'worker_threads'))).toBe('SB_PERMISSION_DENIED');
    expect(codeOf(() => sandbox.builtin('a', 'v8'))).toBe('SB_PERMISSION_DENIED');
    expect(codeOf(() => sandbox.scope('a').require('child_' + 'process'))).toBe('SB_PERMISSION_DENIED');
    // A package with no entry at all.
    expect(codeOf(() => sandbox.builtin('c', 'worker_threads'))).toBe('SB_PERMISSION_DENIED');
  });

  it('granted members work next to denied ones (pino: isMainThread granted, koa: a nested member)', () => {
    const sandbox = sandboxFor({
      pino: { builtin: { 'worker_threads.isMainThread': true, 'worker_threads.Worker': false } },
      koa: { builtin: { 'v8.startupSnapshot': false, 'v8.startupSnapshot.isBuildingSnapshot': true } },
    });
    const wt = sandbox.builtin('pino', 'worker_threads') as any;
    expect(wt.isMainThread).toBe(true);
    expect(wt.Worker).toBeUndefined();
    const v8 = sandbox.builtin('koa', 'v8') as any;
    // Node 20 answers 0 (not false) when no snapshot is being built.
    expect(v8.startupSnapshot.isBuildingSnapshot()).toBe(hostV8.startupSnapshot.isBuildingSnapshot());
    expect(v8.startupSnapshot.addDeserializeCallback).toBeUndefined();
    expect(v8.setFlagsFromString).toBeUndefined();
    expect(v8.getHeapSnapshot).toBeUndefined();
  });

  it('warn mode keeps reporting such a builtin and allowing it whole, as for any builtin enforce mode would not hand out whole', () => {
    const report = path.join(os.tmpdir(), `sb-warn-doors-${process.pid}.jsonl`);
    fs.rmSync(report, { force: true });
    try {
      const sandbox = sandboxFor({ a: { builtin: { 'worker_threads.Worker': false } } }, 'warn', report);
      expect(typeof (sandbox.builtin('a', 'worker_threads') as any).Worker).toBe('function');
      const lines = fs.readFileSync(report, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      expect(lines.map((l) => `${l.package} ${l.kind} ${l.permission}`)).toEqual(['a builtin worker_threads']);
    } finally {
      fs.rmSync(report, { force: true });
    }
  });
});

describe('module.createRequire inside the sandbox', () => {
  const policy = {
    a: { builtin: { 'module.createRequire': true, 'fs.readFileSync': true } },
    b: { builtin: { 'module.createRequire': true } },
  };

  it("returns the package's own scoped require, whatever path or URL it is given", () => {
    const sandbox = sandboxFor(policy);
    const { createRequire: scopedCreateRequire } = sandbox.builtin('a', 'module') as any;
    const own = sandbox.scope('a').require;
    expect(scopedCreateRequire('/srv/app/node_modules/a/index.js')).toBe(own);
    expect(scopedCreateRequire('file:///etc/passwd')).toBe(own);
    expect(scopedCreateRequire(new URL('file:///srv/app/x.mjs'))).toBe(own);
    expect(scopedCreateRequire.name).toBe('createRequire');
    // Another package's createRequire is that package's require.
    expect((sandbox.builtin('b', 'module') as any).createRequire('/x.js')).toBe(sandbox.scope('b').require);
  });

  it('grants nothing beyond the policy: a builtin the package may not use is refused, a granted one works', () => {
    const sandbox = sandboxFor(policy);
    const req = (sandbox.builtin('a', 'module') as any).createRequire(__filename);
    expect(codeOf(() => req('child_process'))).toBe('SB_PERMISSION_DENIED');
    expect(codeOf(() => req('node:vm'))).toBe('SB_PERMISSION_DENIED');
    expect(typeof req('fs').readFileSync).toBe('function');
    expect(req('fs').writeFileSync).toBeUndefined();
    // No files load at run time: a path is not found, whatever it names.
    expect(codeOf(() => req('/etc/passwd'))).toBe('MODULE_NOT_FOUND');
    expect(codeOf(() => req('./other.js'))).toBe('MODULE_NOT_FOUND');
    expect(codeOf(() => req.resolve('left-pad'))).toBe('MODULE_NOT_FOUND');
    expect(req.cache).toBeUndefined();
    expect(req.main).toBeUndefined();
  });

  it('called with new, it is still the scoped one (never Node\'s real createRequire)', () => {
    const sandbox = sandboxFor(policy);
    const { createRequire: scopedCreateRequire } = sandbox.builtin('a', 'module') as any;
    const req = new scopedCreateRequire('/tmp/x.js');
    expect(req).toBe(sandbox.scope('a').require);
    expect(codeOf(() => req('child_process'))).toBe('SB_PERMISSION_DENIED');
  });

  it('refuses what Node refuses: no path at all', () => {
    const { createRequire: scopedCreateRequire } = sandboxFor(policy).builtin('a', 'module') as any;
    expect(codeOf(() => scopedCreateRequire())).toBe('ERR_INVALID_ARG_VALUE');
    expect(codeOf(() => scopedCreateRequire(42))).toBe('ERR_INVALID_ARG_VALUE');
  });

  it('the rest of module stays closed: the loader internals and the Module class are absent', () => {
    const mod = sandboxFor(policy).builtin('a', 'module') as any;
    for (const member of ['_load', '_resolveFilename', '_cache', 'Module', 'register', 'runMain', 'builtinModules']) expect(mod[member]).toBeUndefined();
  });

  it('a grant of the Module class does not open Node\'s createRequire through the class either', () => {
    const mod = sandboxFor({ a: { builtin: { 'module.Module.createRequire': true } } }).builtin('a', 'module') as any;
    expect(codeOf(() => mod.Module.createRequire('/x.js')('child_process'))).toBe('SB_PERMISSION_DENIED');
    expect(mod.Module._load).toBeUndefined();
  });
});

describe('attenuated builtin functions called with new', () => {
  it('new fs.fstatSync(fd) still goes through the file descriptor check', () => {
    const secret = path.join(os.tmpdir(), `sb-secret-new-${process.pid}`);
    fs.writeFileSync(secret, 'secret');
    const appFd = fs.openSync(secret, 'r');
    try {
      const fsA = sandboxFor({ a: { builtin: { fs: true } } }).builtin('a', 'fs') as any;
      expect(codeOf(() => new fsA.fstatSync(appFd))).toBe('SB_PERMISSION_DENIED');
      expect(codeOf(() => new fsA.readFileSync(appFd))).toBe('SB_PERMISSION_DENIED');
      const own = fsA.openSync(secret, 'r');
      expect(new fsA.fstatSync(own).size).toBe(6);
      fsA.closeSync(own);
    } finally {
      fs.closeSync(appFd);
      fs.rmSync(secret);
    }
  });
});

describe('a denied write to a builtin module', () => {
  it('says writes to builtin modules cannot be granted, instead of suggesting a "write" grant the schema refuses', () => {
    const sandbox = sandboxFor({ a: { builtin: { events: true, fs: true } } });
    const Events = sandbox.builtin('a', 'events') as any;
    const before = EventEmitter.defaultMaxListeners;
    const error = errorOf(() => { Events.defaultMaxListeners = 1; });
    expect(error?.code).toBe('SB_PERMISSION_DENIED');
    expect(error?.message).toMatch(/package "a" may not use builtin "events\.defaultMaxListeners" \(policy resources\["a"\]\.builtin\)\. Writes to builtin modules cannot be granted/);
    expect(error?.message).not.toMatch(/"write"/);
    expect(EventEmitter.defaultMaxListeners).toBe(before);
    const nested = errorOf(() => { (sandbox.builtin('a', 'fs') as any).promises.readFile = () => 'evil'; });
    expect(nested?.code).toBe('SB_PERMISSION_DENIED');
    expect(nested?.message).toMatch(/builtin "fs\.promises\.readFile".*Writes to builtin modules cannot be granted: a "builtin" entry is only true or false\. If "fs" must change/);
    expect(fs.promises.readFile.name).toBe('readFile');
  });

  it('a denied write to a global still suggests "write", which globals accept', () => {
    const proc = sandboxFor({ a: { globals: { 'process.env': true } } }).scope('a').globalThis.process as any;
    expect(errorOf(() => { proc.env.SB_TEST_E = '1'; })?.message).toMatch(/Grant "process\.env": "write" only if/);
    expect(process.env.SB_TEST_E).toBeUndefined();
  });

  it('warn mode reports the same fix text', () => {
    const chunks: string[] = [];
    const original = process.stderr.write;
    (process.stderr as any).write = (chunk: string) => { chunks.push(String(chunk)); return true; };
    try {
      const Events = sandboxFor({ a: { builtin: { events: true } } }, 'warn').builtin('a', 'events') as any;
      const before = EventEmitter.defaultMaxListeners;
      Events.defaultMaxListeners = before; // allowed in warn mode, and reported
    } finally {
      (process.stderr as any).write = original;
    }
    const warning = chunks.join('');
    expect(warning).toMatch(/warning \(allowed in warn mode\): package "a" may not use builtin "events\.defaultMaxListeners".*Writes to builtin modules cannot be granted/);
    expect(warning).not.toMatch(/"write"/);
  });
});
