// Attenuated facades: a fresh object per package holding only the granted members of a host object or builtin.

import type { AnyObject } from './host.js';
import type { GrantNode } from './grant-tree.js';
import { createReadOnlyMembrane, createReadOnlyView, needsView, sealPrototypeChain, sealedValueOf } from './exports-view.js';

export interface FacadeContext {
  /** Members never handed out through a grant of their parent; only a grant naming them opens them. */
  hidden: ReadonlySet<string>;
  /** Called when a package writes through a read-only view: throws a PermissionError, or returns to let the write happen (warn, record). */
  denyWrite(path: string): void;
  /** Node's own prototypes, which views never lock. */
  isHostPrototype(proto: object): boolean;
  /** Host objects read through C++ interceptors (process.env), whose views stand on a shadow target. */
  readsThroughInterceptors?(value: object): boolean;
  /** Last chance to attenuate one function member (fs fd checks, worker eval). */
  wrapFunction?(path: string, fn: (...args: any[]) => any): (...args: any[]) => any;
}

// Startup code runs once, in V8's interpreter, where `for...of` allocates an iterator result per
// element: the loops below index arrays instead (the runtime's garbage at startup is peak RSS).

/** Every string-keyed member name along the prototype chain, Object.prototype excepted. */
function addMemberNames(real: AnyObject, names: Set<string>): void {
  for (let obj = real; obj && obj !== Object.prototype && obj !== Function.prototype; obj = Object.getPrototypeOf(obj)) {
    const own = Object.getOwnPropertyNames(obj);
    for (let i = 0; i < own.length; i++) if (own[i] !== 'constructor') names.add(own[i]!);
  }
}

function findDescriptor(real: AnyObject, key: string): PropertyDescriptor | undefined {
  for (let obj = real; obj; obj = Object.getPrototypeOf(obj)) {
    const descriptor = Object.getOwnPropertyDescriptor(obj, key);
    if (descriptor) return descriptor;
  }
  return undefined;
}

/** A constructor with its own prototype methods: wrapping it would break `new` and `instanceof`. */
function isClassLike(fn: AnyObject): boolean {
  const proto = fn.prototype;
  return typeof proto === 'object' && proto !== null && Object.getOwnPropertyNames(proto).length > 1;
}

/**
 * A host class handed to a package: the class itself, so `extends` and `instanceof` work with
 * no Proxy on the method path, behind a shallow read-only view (statics like
 * `EventEmitter.defaultMaxListeners` are shared state). `sealPrototypes` also locks its
 * prototype chain (override-friendly accessors): done for granted globals (Buffer, URL); the
 * classes of builtin modules (EventEmitter, streams) are sealed by the runtime for everyone.
 */
export function shareHostClass<T extends AnyObject>(fn: T, onWrite: (key: PropertyKey) => void, sealPrototypes: boolean): T {
  if (sealPrototypes) sealPrototypeChain(fn, (key) => onWrite(`prototype.${String(key)}`), () => false);
  return needsView(fn) ? createReadOnlyView(fn, onWrite) : fn;
}

/**
 * Builds the facade for `real` as the grant tree allows. `path` is the dotted name used in
 * error messages and in `hidden` (e.g. "process.binding").
 */
export function createFacade(real: AnyObject, node: GrantNode, path: string, ctx: FacadeContext): AnyObject {
  if (node.whole && node.write && node.children.size === 0) return real;
  // A builtin that is itself a class (`require('events')`) stays one.
  if (node.whole && node.children.size === 0 && typeof real === 'function' && isClassLike(real)) {
    return shareHostClass(real, (key) => ctx.denyWrite(`${path}.${String(key)}`), false);
  }
  // A builtin that is itself a function (`require('assert')`) stays callable.
  // (a method: it has no own `prototype` to collide with the module's members)
  const facade: AnyObject =
    typeof real === 'function'
      ? {
          [path](this: unknown, ...args: unknown[]) {
            return Reflect.apply(real as (...a: unknown[]) => unknown, this, args);
          },
        }[path]!
      : {};
  // Nested host objects (process.stdout, fs.promises, process.env) are shared: read-only views.
  // The membrane is made on first use: most facades hold only methods and primitives.
  let membrane: (<T>(value: T, key: string) => T) | undefined;
  const share = <T>(value: T, key: string): T => (membrane ??= createReadOnlyMembrane((memberPath) => ctx.denyWrite(`${path}.${memberPath}`), ctx.isHostPrototype, ctx.readsThroughInterceptors))(value, key);
  const names = new Set(node.children.keys());
  if (node.whole) addMemberNames(real, names);
  const keys = [...names].sort();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const child = node.children.get(key);
    // Underscore members are Node internals (_events, _linkedBinding, _getActiveHandles): never by default.
    if (!child && (key.startsWith('_') || ctx.hidden.has(`${path}.${key}`))) continue;
    const memberPath = `${path}.${key}`;
    const descriptor = findDescriptor(real, key);
    if (!descriptor) continue;
    if (child && !child.whole) {
      const value = real[key];
      if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
        defineOwn(facade, key, createFacade(value, child, memberPath, ctx));
      }
      continue;
    }
    const write = child?.write ?? node.write;
    defineMember(facade, real, key, descriptor, memberPath, write, write ? unshared : share, ctx);
  }
  // Not frozen: the facade belongs to one package, which may patch its own copy (graceful-fs
  // replaces fs.close); nobody else sees it.
  return facade;
}

/** What a "write" grant hands out: the real object itself. */
const unshared = <T>(value: T): T => value;

/** One descriptor for every defineOwn: defineProperty on our own ordinary objects reads it at once and runs no other code. */
const OWN_MEMBER: PropertyDescriptor = { value: undefined, enumerable: true, writable: true, configurable: true };

function defineOwn(target: AnyObject, key: string, value: unknown): void {
  OWN_MEMBER.value = value;
  Object.defineProperty(target, key, OWN_MEMBER);
  OWN_MEMBER.value = undefined;
}

/** Host functions carry members too (process.hrtime.bigint): copy them onto the wrapper. */
function copyFunctionMembers(from: AnyObject, to: AnyObject): void {
  const keys = Object.getOwnPropertyNames(from);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === 'length' || key === 'name' || key === 'prototype' || key === 'arguments' || key === 'caller') continue;
    const value = from[key];
    defineOwn(to, key, typeof value === 'function' ? value.bind(from) : value);
  }
}

function defineMember(facade: AnyObject, real: AnyObject, key: string, descriptor: PropertyDescriptor, path: string, write: boolean, share: <T>(value: T, key: string) => T, ctx: FacadeContext): void {
  // A sealed prototype's methods are accessors now; they are still methods.
  const { found, value } = sealedValueOf(descriptor);
  if (found && typeof value === 'function' && !isClassLike(value)) {
    const method = value as (...args: any[]) => any;
    const attenuated = ctx.wrapFunction ? ctx.wrapFunction(path, method) : method;
    const name: unknown = method.name;
    // Named as it is created (a computed key): redefining `name` afterwards turned every wrapper into a dictionary-mode object.
    const member = {
      [typeof name === 'string' ? name : '']: function (this: unknown, ...args: unknown[]) {
        // Host methods need the real receiver (process.on uses `this`), and must not hand it back.
        // Constructor-only host functions (WebAssembly.Module) must be called with `new`. The attenuated
        // function is the one constructed: `new fs.fstatSync(fd)` or `new createRequire(path)` must not skip it.
        if (new.target) return Reflect.construct(attenuated, args, new.target === member ? attenuated : new.target);
        const result = Reflect.apply(attenuated, this === facade || this === undefined ? real : this, args);
        return result === real ? facade : result;
      },
    }[typeof name === 'string' ? name : '']!;
    if (typeof name !== 'string') Object.defineProperty(member, 'name', { value: name });
    // `x instanceof facade.Module` tests against the real prototype, held as the host holds it: most
    // host functions are declarations with a writable `prototype`, which a plain assignment keeps in
    // V8's fast mode (redefining it read-only made each wrapper a ~430-byte dictionary); builtin
    // classes (WebAssembly.Module) have a read-only one.
    const proto: unknown = method.prototype;
    if (typeof proto === 'object' && proto !== null) {
      // That one object is reachable from every package's facade: sealed (as a shared class's
      // prototype is), it can no longer carry data from one package to another.
      if (!write) sealPrototypeChain(method, (k) => ctx.denyWrite(`${path}.prototype.${String(k)}`), (p) => ctx.isHostPrototype(p));
      if (Object.getOwnPropertyDescriptor(method, 'prototype')?.writable === false) Object.defineProperty(member, 'prototype', { value: proto, writable: false });
      else member.prototype = proto;
    }
    copyFunctionMembers(method, member);
    defineOwn(facade, key, member);
    return;
  }
  if (found && typeof value === 'function') {
    defineOwn(facade, key, write ? value : shareHostClass(value, (k) => ctx.denyWrite(`${path}.${String(k)}`), false));
    return;
  }
  if (found && typeof value === 'object' && value !== null) {
    defineOwn(facade, key, share(value, key));
    return;
  }
  // Primitives and accessors stay live (process.exitCode, process.stdout): read through to the real object.
  Object.defineProperty(facade, key, {
    get: () => share(real[key], key),
    set(this: unknown, v: unknown) {
      // A copy of the facade (graceful-fs clones fs by descriptors) owns what it sets.
      if (this !== facade && this !== null && (typeof this === 'object' || typeof this === 'function')) {
        Object.defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
        return;
      }
      if (!write) ctx.denyWrite(path);
      real[key] = v;
    },
    enumerable: true,
    configurable: true,
  });
}
