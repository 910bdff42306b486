// The runtime shim from source with a fake host: scopes, facades, hidden doors, timers, fds and export views.

import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSandbox } from '../../src/runtime/index.js';
import { createHost, powers } from './fake-host.js';
import type { RuntimePolicy } from '../../src/policy/types.js';

function sandboxWith(resources: RuntimePolicy['resources']) {
  return createSandbox(createHost(), powers, { policy: { resources }, lockdownOptions: {} });
}

const grants = (partial: Partial<RuntimePolicy['resources'][string]>) => ({ globals: {}, builtin: {}, packages: {}, native: false, ...partial });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('builtins', () => {
  it.each([
    ['no grant', {}, 'child_process', 'SB_PERMISSION_DENIED'],
    ['granted whole', { child_process: true as const }, 'child_process', undefined],
    ['node: prefix is the same builtin', { child_process: true as const }, 'node:child_process', undefined],
    ['member grant opens the builtin', { 'fs.readFileSync': true as const }, 'fs', undefined],
  ])('%s', (_label, builtin, name, expected) => {
    const sandbox = sandboxWith({ a: grants({ builtin }) });
    expect(codeOf(() => sandbox.builtin('a', name))).toBe(expected);
  });

  it('a member grant hands out only that member', () => {
    const fsFacade = sandboxWith({ a: grants({ builtin: { 'fs.readFileSync': true } }) }).builtin('a', 'fs') as any;
    expect(typeof fsFacade.readFileSync).toBe('function');
    expect(fsFacade.writeFileSync).toBeUndefined();
    expect(fsFacade).not.toBe(fs);
  });

  it('the denial names the package, the builtin and the policy entry', () => {
    const sandbox = sandboxWith({});
    expect(() => sandbox.builtin('left-pad', 'fs')).toThrow(/package "left-pad" may not use builtin "fs" \(policy resources\["left-pad"\]\.builtin\)\. Add "fs": true/);
  });

  it("a facade's methods carry the host function's name, members and prototype, held as the host holds it", () => {
    const sandbox = sandboxWith({ a: grants({ builtin: { fs: true }, globals: { WebAssembly: true } }) });
    const fsFacade = sandbox.builtin('a', 'fs') as any;
    const describe = (fn: object, key: string) => {
      const { writable, enumerable, configurable } = Object.getOwnPropertyDescriptor(fn, key)!;
      return { writable, enumerable, configurable };
    };
    expect(fsFacade.readFileSync).not.toBe(fs.readFileSync);
    expect(fsFacade.readFileSync.name).toBe('readFileSync');
    expect(describe(fsFacade.readFileSync, 'name')).toEqual(describe(fs.readFileSync, 'name'));
    expect(fsFacade.readFileSync.prototype).toBe(fs.readFileSync.prototype);
    expect(describe(fsFacade.readFileSync, 'prototype')).toEqual(describe(fs.readFileSync, 'prototype'));
    expect(typeof fsFacade.realpathSync.native).toBe('function');
    // A builtin class with a read-only prototype keeps it read-only, and `instanceof` and `new` work.
    const wasm = sandbox.scope('a').globalThis.WebAssembly as any;
    expect(describe(wasm.Module, 'prototype')).toEqual(describe(WebAssembly.Module, 'prototype'));
    const module = new wasm.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    expect(module instanceof wasm.Module && module instanceof WebAssembly.Module).toBe(true);
  });

  it('a facade is per package: patching it changes nothing for others', () => {
    const sandbox = sandboxWith({ a: grants({ builtin: { fs: true } }), b: grants({ builtin: { fs: true } }) });
    const fsA = sandbox.builtin('a', 'fs') as any;
    fsA.readFileSync = () => 'hijacked';
    expect((sandbox.builtin('b', 'fs') as any).readFileSync).not.toBe(fsA.readFileSync);
    expect(fs.readFileSync).not.toBe(fsA.readFileSync);
  });

  it("a facade method's prototype, the host's one object behind every package's facade, carries nothing between packages", () => {
    // Prototypes of builtin modules' exports are sealed with Node's classes (sealNodePrototypes); this is the rest: a granted global's methods.
    const sandbox = sandboxWith({ a: grants({ globals: { process: true } }), b: grants({ globals: { process: true } }) });
    const protoA = (sandbox.scope('a').globalThis.process as any).emitWarning.prototype;
    const protoB = (sandbox.scope('b').globalThis.process as any).emitWarning.prototype;
    expect(protoA).toBe(process.emitWarning.prototype);
    expect(protoB).toBe(protoA);
    // As a sealed class prototype: no new members, and its own member refuses the write through the policy.
    expect(() => { protoA.message = 'for b'; }).toThrow(TypeError);
    expect(() => Object.defineProperty(protoA, 'message', { value: 'for b' })).toThrow(TypeError);
    expect(codeOf(() => { protoA.constructor = 'for b'; })).toBe('SB_PERMISSION_DENIED');
    expect(protoB.message).toBeUndefined();
    expect(protoB.constructor).toBe(process.emitWarning);
  });
});

describe('file descriptors', () => {
  it('a package may use only fds it opened', () => {
    const secret = path.join(os.tmpdir(), `sb-secret-${process.pid}`);
    fs.writeFileSync(secret, 'secret');
    const appFd = fs.openSync(secret, 'r');
    try {
      const fsA = sandboxWith({ a: grants({ builtin: { fs: true } }) }).builtin('a', 'fs') as any;
      expect(codeOf(() => fsA.fstatSync(appFd))).toBe('SB_PERMISSION_DENIED');
      expect(codeOf(() => fsA.readFileSync(appFd))).toBe('SB_PERMISSION_DENIED');
      const own = fsA.openSync(secret, 'r');
      expect(fsA.readFileSync(own, 'utf8')).toBe('secret');
      fsA.closeSync(own);
      expect(codeOf(() => fsA.fstatSync(own))).toBe('SB_PERMISSION_DENIED');
    } finally {
      fs.closeSync(appFd);
      fs.rmSync(secret);
    }
  });
});

describe('globals and hidden doors', () => {
  it('ungranted host globals are absent; intrinsics without authority are present', () => {
    const g = sandboxWith({}).scope('a').globalThis;
    expect(g.process).toBeUndefined();
    expect(g.console).toBeUndefined();
    expect(g.setTimeout).toBeUndefined();
    expect(g.Date).toBe(Date);
    expect(g.global).toBe(g);
  });

  it.each(['getBuiltinModule', 'binding', '_linkedBinding', 'dlopen', 'mainModule', 'report', 'kill', 'exit', 'reallyExit', 'abort', '_events'])(
    'process: true does not open process.%s',
    (member) => {
      const proc = sandboxWith({ a: grants({ globals: { process: true } }) }).scope('a').globalThis.process as any;
      expect(proc[member]).toBeUndefined();
      expect(typeof proc.cwd).toBe('function');
      expect(proc.env.PATH).toBe(process.env.PATH);
    },
  );

  it('nested host objects are read-only views, and the denial names the full member path', () => {
    const proc = sandboxWith({ a: grants({ globals: { process: true } }) }).scope('a').globalThis.process as any;
    const realWrite = process.stdout.write;
    expect(() => { proc.stdout.write = () => true; }).toThrow(/may not use global "process\.stdout\.write"/);
    expect(process.stdout.write).toBe(realWrite);
    expect(typeof proc.stdout.on('drain', () => {})).toBe('object');
  });

  it('a grant naming the hidden member opens it', () => {
    const proc = sandboxWith({ a: grants({ globals: { 'process.exit': true } }) }).scope('a').globalThis.process as any;
    expect(typeof proc.exit).toBe('function');
    expect(proc.env).toBeUndefined();
  });

  it('process.env is read-only unless granted "write"', () => {
    const reader = sandboxWith({ a: grants({ globals: { 'process.env': true } }) }).scope('a').globalThis.process as any;
    expect(codeOf(() => { reader.env.SB_TEST = '1'; })).toBe('SB_PERMISSION_DENIED');
    expect(process.env.SB_TEST).toBeUndefined();
    const writer = sandboxWith({ a: grants({ globals: { 'process.env': 'write' } }) }).scope('a').globalThis.process as any;
    writer.env.SB_TEST = '1';
    expect(process.env.SB_TEST).toBe('1');
    delete process.env.SB_TEST;
  });

  it('a read-only process.env reads like the real one: live values, keys, `in`, descriptors, prototype', () => {
    const env = (sandboxWith({ a: grants({ globals: { 'process.env': true } }) }).scope('a').globalThis.process as any).env;
    process.env.SB_LIVE = 'before';
    try {
      expect(env.SB_LIVE).toBe('before');
      process.env.SB_LIVE = 'after';
      expect(env.SB_LIVE).toBe('after');
      expect('SB_LIVE' in env).toBe(true);
      expect('SB_NOT_SET' in env).toBe(false);
      expect(env.SB_NOT_SET).toBeUndefined();
      expect(Object.keys(env)).toEqual(Object.keys(process.env));
      expect(JSON.parse(JSON.stringify(env))).toEqual({ ...process.env });
      expect(Object.getOwnPropertyDescriptor(env, 'SB_LIVE')).toEqual(Object.getOwnPropertyDescriptor(process.env, 'SB_LIVE'));
      expect(Object.getPrototypeOf(env)).toBe(Object.getPrototypeOf(process.env));
      expect(Object.isExtensible(env)).toBe(true);
      for (const attempt of [() => { env.SB_LIVE = 'x'; }, () => { delete env.SB_LIVE; }, () => Object.defineProperty(env, 'SB_NEW', { value: '1' }), () => Object.setPrototypeOf(env, null), () => Object.preventExtensions(env)]) {
        expect(codeOf(attempt)).toBe('SB_PERMISSION_DENIED');
      }
      expect(process.env.SB_LIVE).toBe('after');
      expect(process.env.SB_NEW).toBeUndefined();
    } finally {
      delete process.env.SB_LIVE;
    }
  });

  it('methods keep the real receiver and never return the real object', () => {
    const proc = sandboxWith({ a: grants({ globals: { process: true } }) }).scope('a').globalThis.process as any;
    const listener = () => {};
    expect(proc.on('sb-test-event', listener)).toBe(proc);
    expect(process.listeners('sb-test-event' as any)).toContain(listener);
    process.removeListener('sb-test-event' as any, listener);
    expect(typeof proc.hrtime.bigint()).toBe('bigint');
  });

  it('console is per package: replacing console.log changes nothing for others', () => {
    const sandbox = sandboxWith({ a: grants({ globals: { console: true } }), b: grants({ globals: { console: true } }) });
    const consoleA = sandbox.scope('a').globalThis.console as any;
    const spy = () => {};
    consoleA.log = spy;
    expect((sandbox.scope('b').globalThis.console as any).log).not.toBe(spy);
    expect(console.log).not.toBe(spy);
  });

  it('a granted class is usable but not changeable for others', () => {
    const B = sandboxWith({ a: grants({ globals: { Buffer: true } }) }).scope('a').globalThis.Buffer as any;
    expect(B.from('hi').toString()).toBe('hi');
    expect(B.from('x') instanceof Buffer).toBe(true);
    expect(codeOf(() => { B.poolSize = 1; })).toBe('SB_PERMISSION_DENIED');
    expect(() => { B.prototype.sbEvil = 1; }).toThrow(TypeError);
    expect((Buffer.prototype as any).sbEvil).toBeUndefined();
  });
});

describe('scopes', () => {
  it("share only frozen path helpers: nothing one package leaves on its scope reaches another's", () => {
    const sandbox = sandboxWith({});
    const a = sandbox.scope('a') as any;
    const b = sandbox.scope('b') as any;
    expect(Object.keys(a)).toEqual(['globalThis']);
    expect(a.globalThis).not.toBe(b.globalThis);
    for (const name of ['filename', 'dirname', 'meta']) {
      expect(a[name]).toBe(b[name]);
      expect(Object.isFrozen(a[name])).toBe(true);
      expect(() => {
        a[name].note = 'left for b';
      }).toThrow(TypeError);
    }
    expect(Object.isFrozen(a.require)).toBe(true);
    a.require = () => 'mine';
    expect(b.require).not.toBe(a.require);
  });
});

describe('granted globals are made on first read', () => {
  it('the same facade on every read, a plain data property after the first', () => {
    const g = sandboxWith({ a: grants({ globals: { process: true, Buffer: true } }) }).scope('a').globalThis as any;
    expect(Object.getOwnPropertyDescriptor(g, 'process')?.get).toBeTypeOf('function');
    const first = g.process;
    expect(first).not.toBe(process);
    expect(typeof first.cwd).toBe('function');
    expect(g.process).toBe(first);
    expect(Object.getOwnPropertyDescriptor(g, 'process')).toMatchObject({ value: first, writable: true, configurable: true });
  });

  it('a package may replace a granted global before reading it, as its own variable', () => {
    const g = sandboxWith({ a: grants({ globals: { Buffer: true } }) }).scope('a').globalThis as any;
    g.Buffer = 'mine';
    expect(g.Buffer).toBe('mine');
    expect(Buffer).not.toBe('mine');
  });

  it('an ungranted global is absent, not a lazy property', () => {
    const g = sandboxWith({ a: grants({ globals: { Buffer: true } }) }).scope('a').globalThis as any;
    expect('process' in g).toBe(false);
    expect(g.process).toBeUndefined();
  });
});

describe('timers', () => {
  it('handles are opaque and a package cannot clear another package\'s timer', async () => {
    const sandbox = sandboxWith({ a: grants({ globals: { setTimeout: true, clearTimeout: true } }), b: grants({ globals: { setTimeout: true, clearTimeout: true } }) });
    const a = sandbox.scope('a').globalThis as any;
    const b = sandbox.scope('b').globalThis as any;
    let fired = false;
    const handle = a.setTimeout(() => { fired = true; }, 5);
    expect(handle._idleNext).toBeUndefined();
    expect(handle._onTimeout).toBeUndefined();
    for (let id = 0; id < 200; id++) b.clearTimeout(id);
    b.clearTimeout(handle);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toBe(true);
  });

  it('a package can clear its own timer by handle or by numeric id', async () => {
    const g = sandboxWith({ a: grants({ globals: { setTimeout: true, clearTimeout: true } }) }).scope('a').globalThis as any;
    let fired = 0;
    const first = g.setTimeout(() => fired++, 5);
    const second = g.setTimeout(() => fired++, 5);
    g.clearTimeout(first);
    g.clearTimeout(+second);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toBe(0);
  });

  it('callbacks get the opaque handle as this, not the real Timeout', async () => {
    const g = sandboxWith({ a: grants({ globals: { setTimeout: true } }) }).scope('a').globalThis as any;
    const seen = await new Promise((resolve) => { const h = g.setTimeout(function (this: unknown) { resolve(this === h); }, 1); });
    expect(seen).toBe(true);
  });
});

describe('exports between packages', () => {
  it('an importer cannot replace or delete members of another package\'s exports', () => {
    const sandbox = sandboxWith({ a: grants({ packages: { lib: true } }) });
    const real = { hash: () => 'real' };
    const view = sandbox.packageExports('a', 'lib', real) as any;
    expect(view.hash()).toBe('real');
    expect(codeOf(() => { view.hash = () => 'evil'; })).toBe('SB_PERMISSION_DENIED');
    expect(codeOf(() => { delete view.hash; })).toBe('SB_PERMISSION_DENIED');
    expect(codeOf(() => Object.defineProperty(view, 'hash', { value: 1 }))).toBe('SB_PERMISSION_DENIED');
    expect(real.hash()).toBe('real');
  });

  it('the view is deep: nested objects and self-references are read-only too', () => {
    const real: any = { defaults: { rounds: 3 } };
    real.default = real;
    const view = sandboxWith({ a: grants({ packages: { lib: true } }) }).packageExports('a', 'lib', real) as any;
    expect(codeOf(() => { view.defaults.rounds = 0; })).toBe('SB_PERMISSION_DENIED');
    expect(codeOf(() => { view.default.check = 1; })).toBe('SB_PERMISSION_DENIED');
    expect(codeOf(() => { Object.getOwnPropertyDescriptor(view, 'defaults')!.value.rounds = 0; })).toBe('SB_PERMISSION_DENIED');
    expect(view.default).toBe(view);
    expect(real.defaults.rounds).toBe(3);
  });

  it('methods run on the real object, so stateful exports keep working', () => {
    const real = { count: 0, cache: new Map([['k', 'v']]), bump() { this.count++; return this.cache.get('k'); } };
    const view = sandboxWith({ a: grants({ packages: { lib: true } }) }).packageExports('a', 'lib', real) as any;
    expect(view.bump()).toBe('v');
    expect(real.count).toBe(1);
  });

  it('another package cannot be used as a gadget to write through a view', () => {
    const sandbox = sandboxWith({ a: grants({ packages: { lib: true, helper: true } }) });
    const lib = sandbox.packageExports('a', 'lib', { defaults: { rounds: 3 } }) as any;
    const helper = sandbox.packageExports('a', 'helper', { assign(target: any, key: string, value: unknown) { target[key] = value; }, setOnThis(this: any, value: unknown) { this.rounds = value; } }) as any;
    expect(codeOf(() => helper.assign(lib.defaults, 'rounds', 0))).toBe('SB_PERMISSION_DENIED');
    expect(codeOf(() => helper.setOnThis.call(lib.defaults, 0))).toBe('SB_PERMISSION_DENIED');
  });

  it('methods of an exported class cannot be replaced through its prototype, yet instances may shadow them', () => {
    class Hasher {
      digest() { return 'real'; }
      bindOwn() { this.digest = this.digest.bind(this); return this; }
    }
    const { Hasher: View } = sandboxWith({ a: grants({ packages: { lib: true } }) }).packageExports('a', 'lib', { Hasher }) as { Hasher: typeof Hasher };
    expect(codeOf(() => { View.prototype.digest = () => 'evil'; })).toBe('SB_PERMISSION_DENIED');
    expect(codeOf(() => { Object.getPrototypeOf(new View()).digest = () => 'evil'; })).toBe('SB_PERMISSION_DENIED');
    expect(new Hasher().bindOwn().digest()).toBe('real');
    expect(new Hasher().digest()).toBe('real');
  });

  it("the prototype of what an exported function returns is sealed too; what the caller passed in and gets back stays the caller's", () => {
    class Session {
      sign() { return 'real'; }
    }
    class Mine {
      tag() { return 'mine'; }
    }
    const lib = sandboxWith({ a: grants({ packages: { lib: true } }) }).packageExports('a', 'lib', { openSession: () => new Session(), identity: <T>(x: T) => x }) as any;
    const session = lib.openSession();
    expect(codeOf(() => { Object.getPrototypeOf(session).sign = () => 'evil'; })).toBe('SB_PERMISSION_DENIED');
    session.sign = () => 'own';
    expect([session.sign(), new Session().sign()]).toEqual(['own', 'real']);
    const mine = new Mine();
    expect(lib.identity(mine)).toBe(mine);
    Mine.prototype.tag = () => 'changed by its owner';
    expect(mine.tag()).toBe('changed by its owner');
  });

  it('"write" hands out the exports themselves', () => {
    const real = { x: 1 };
    expect(sandboxWith({ a: grants({ packages: { lib: 'write' } }) }).packageExports('a', 'lib', real)).toBe(real);
  });

  it('classes seen through a view still construct, subclass and pass instanceof', () => {
    class Base { value = 1; }
    const View = sandboxWith({ a: grants({ packages: { lib: true } }) }).packageExports('a', 'lib', Base) as typeof Base;
    class Sub extends View { extra = 2; }
    const sub = new Sub();
    expect(sub instanceof Base && sub instanceof View).toBe(true);
    (Sub as any).own = 1; // a subclass's own static write is its own business
    expect((Base as any).own).toBeUndefined();
  });
});

describe('denial stand-ins', () => {
  it('a denied static import loads, then throws on first use', () => {
    const binding = sandboxWith({}).deniedBinding('a', 'builtin', 'child_process') as any;
    expect(codeOf(() => binding('ls'))).toBe('SB_PERMISSION_DENIED');
    expect(codeOf(() => binding.execSync)).toBe('SB_PERMISSION_DENIED');
  });

  it('a denied require throws at every require', () => {
    const module: Record<string, unknown> = { exports: {} };
    sandboxWith({}).denyOnRequire(module, 'a', 'package', 'b');
    expect(codeOf(() => module.exports)).toBe('SB_PERMISSION_DENIED');
    expect(codeOf(() => module.exports)).toBe('SB_PERMISSION_DENIED');
  });
});

describe('scoped require', () => {
  it.each([
    ['child_' + 'process', 'SB_PERMISSION_DENIED'],
    ['node:vm', 'SB_PERMISSION_DENIED'],
    ['./somewhere', 'MODULE_NOT_FOUND'],
    ['sandbox-bundle:runtime', 'SB_PERMISSION_DENIED'],
  ])('computed require(%j) -> %s', (specifier, expected) => {
    expect(codeOf(() => sandboxWith({}).scope('a').require(specifier))).toBe(expected);
  });

  it('has no cache, main or other loader internals', () => {
    const scoped = sandboxWith({}).scope('a').require as any;
    expect(scoped.cache).toBeUndefined();
    expect(scoped.main).toBeUndefined();
    expect(scoped.extensions).toBeUndefined();
  });

  it('rebuilds module paths relative to the bundle', () => {
    const scope = sandboxWith({}).scope('a');
    expect(scope.filename('../node_modules/a/index.js')).toBe('/srv/app/node_modules/a/index.js');
    expect(scope.dirname('../node_modules/a/index.js')).toBe('/srv/app/node_modules/a');
    expect(scope.meta('../node_modules/a/x y.mjs').url).toBe('file:///srv/app/node_modules/a/x%20y.mjs');
  });
});

describe('warn mode', () => {
  it('allows what enforce mode denies and reports each violation once, with its first call site', () => {
    const report = path.join(os.tmpdir(), `sb-warn-${process.pid}.jsonl`);
    fs.rmSync(report, { force: true });
    const sandbox = createSandbox(createHost(), powers, { policy: { resources: {} }, lockdownOptions: {}, mode: 'warn', monitorFile: report });
    const cp = sandbox.builtin('a', 'child_process') as any;
    expect(typeof cp.execSync).toBe('function');
    sandbox.builtin('a', 'child_process');
    const g = sandbox.scope('a').globalThis as any;
    expect(typeof g.process.cwd).toBe('function');
    const lines = fs.readFileSync(report, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((l) => `${l.package} ${l.kind} ${l.permission}`)).toEqual(['a builtin child_process', 'a global process']);
    expect(lines[0].site).toMatch(/sandbox\.test\.ts/);
    fs.rmSync(report);
  });
});
