// The built runtime under the embedded ses: a package's standard globals are constants of its evaluator, so code it builds at run time reads them statically.

import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { DEFAULT_LOCKDOWN } from '../../src/options.js';
import { TOOL_ROOT } from '../../src/context.js';
import { runNodeScriptForJson } from '../child-node.js';

/** Runs `body` in a fresh node with the embedded ses locked down and the runtime started; `g` is package "gen"'s global object. */
function inPackage(body: string, globals: Record<string, unknown> = {}): Record<string, unknown> {
  const script = `
    'use strict';
    require(${JSON.stringify(path.join(TOOL_ROOT, 'dist', 'ses.cjs'))});
    const runtime = require(${JSON.stringify(path.join(TOOL_ROOT, 'dist', 'runtime.cjs'))});
    const { builtinModules } = require('node:module');
    const host = { realGlobal: globalThis, loadBuiltin: (name) => require(name), builtinModules, bundleDir: __dirname, lockdown: (options) => (lockdown(options), { Compartment, harden }) };
    const sandbox = runtime.startSandbox(host, { policy: { resources: { gen: { globals: ${JSON.stringify(globals)}, builtin: {}, packages: {}, native: false } } }, lockdownOptions: ${JSON.stringify(DEFAULT_LOCKDOWN)} });
    const g = sandbox.scope('gen').globalThis;
    const out = {};
    ${body}
    process.stdout.write(JSON.stringify(out));
  `;
  return runNodeScriptForJson<Record<string, unknown>>(script);
}

describe("a package's standard globals", () => {
  it('are read-only, and code from new Function sees the same objects', () => {
    const out = inPackage(`
      const descriptor = Object.getOwnPropertyDescriptor(g, 'Object');
      out.objectDescriptor = { writable: descriptor.writable, configurable: descriptor.configurable };
      const generated = new g.Function('o', 'return [Object, Math, JSON, Object.keys(o).length + Math.max(1, 2)]');
      const [seenObject, seenMath, seenJson, computed] = generated({ a: 1 });
      out.sameObjects = seenObject === g.Object && seenMath === g.Math && seenJson === g.JSON;
      out.computed = computed;
      try { g.Object = 'replaced'; out.assignObject = 'allowed'; } catch (error) { out.assignObject = error.constructor.name; }
    `);
    expect(out).toEqual({ objectDescriptor: { writable: false, configurable: false }, sameObjects: true, computed: 3, assignObject: 'TypeError' });
  });

  it('leave the names polyfills replace writable, and generated code sees the replacement', () => {
    const out = inPackage(`
      const before = new g.Function('return Promise');
      g.Promise = function MyPromise() {};
      out.seenByNewCode = new g.Function('return Promise.name')();
      out.seenByOldCode = before().name;
      out.realPromiseUntouched = Promise.name;
    `);
    expect(out).toEqual({ seenByNewCode: 'MyPromise', seenByOldCode: 'MyPromise', realPromiseUntouched: 'Promise' });
  });

  it("do not open the real global: generated code reads an ungranted host global as undefined (ses's scope terminator)", () => {
    const out = inPackage(`
      out.process = typeof new g.Function('return process')();
      out.require = typeof new g.Function('return require')();
      out.object = new g.Function('return Object')() === Object;
    `);
    expect(out).toEqual({ process: 'undefined', require: 'undefined', object: true });
  });

  it('leave a granted one to its grant (a lazy global, not a constant)', () => {
    const out = inPackage(
      `
      out.before = typeof Object.getOwnPropertyDescriptor(g, 'TextEncoder').get;
      out.encodes = new g.TextEncoder().encode('hi').length;
    `,
      { TextEncoder: true },
    );
    expect(out).toEqual({ before: 'function', encodes: 2 });
  });
});
