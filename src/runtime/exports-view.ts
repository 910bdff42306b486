// Read-only views: how one package sees another package's exports or a shared host object it may use but not change.

import type { AnyObject } from './host.js';

/** Objects and functions can be viewed; primitives and frozen values need no view. */
export function needsView(value: unknown): value is AnyObject {
  return (typeof value === 'object' && value !== null) || typeof value === 'function' ? !Object.isFrozen(value) : false;
}

/**
 * Built-in objects with internal slots (a RegExp's matcher, a Map's entries): their methods
 * refuse a Proxy as `this`, so a membrane passes them through as they are.
 */
function hasInternalSlots(value: object): boolean {
  return (
    value instanceof RegExp || value instanceof Map || value instanceof Set || value instanceof WeakMap || value instanceof WeakSet ||
    value instanceof Date || value instanceof Promise || value instanceof ArrayBuffer || ArrayBuffer.isView(value)
  );
}

/**
 * A shallow read-only view: a Proxy whose only traps refuse changes made through the view itself.
 * Reads, calls, `new` and `instanceof` go straight to the target with no per-access trap. Used
 * for granted host classes (Buffer, URL) whose prototypes the runtime freezes, so nothing nested
 * is left to change. Writes whose receiver is some other object (a subclass, an
 * `Object.create(view)` child) are that object's own business and go through.
 */
export function createReadOnlyView<T extends AnyObject>(target: T, onWrite: (key: PropertyKey) => void): T {
  let view: T;
  // onWrite throws a PermissionError; when it returns (warn and record modes), the change goes through.
  const handler: ProxyHandler<T> = {
    set(obj, key, value, receiver) {
      if (receiver !== view) return Reflect.set(obj, key, value, receiver);
      onWrite(key);
      return Reflect.set(obj, key, value);
    },
    defineProperty: (obj, key, descriptor) => (onWrite(key), Reflect.defineProperty(obj, key, descriptor)),
    deleteProperty: (obj, key) => (onWrite(key), Reflect.deleteProperty(obj, key)),
    setPrototypeOf: (obj, proto) => (onWrite('__proto__'), Reflect.setPrototypeOf(obj, proto)),
    preventExtensions: (obj) => (onWrite('[[Extensible]]'), Reflect.preventExtensions(obj)),
  };
  view = new Proxy(target, handler);
  return view;
}

const sealedPrototypes = new WeakSet<object>();
/** The getters sealPrototypeChain installs: a facade reads through them to find the method. */
const sealedGetters = new WeakSet<object>();

/** The value behind a property that may have been sealed into an accessor pair. */
export function sealedValueOf(descriptor: PropertyDescriptor): { found: boolean; value?: unknown } {
  if ('value' in descriptor) return { found: true, value: descriptor.value };
  if (descriptor.get && sealedGetters.has(descriptor.get)) return { found: true, value: descriptor.get() };
  return { found: false };
}

/** Every view any membrane made: already read-only, so a prototype walk stops there. */
const allViews = new WeakSet<object>();

/**
 * Locks a package class's prototype chain so that no package changes methods for everyone,
 * without the "override mistake": each method becomes a getter/setter pair (as ses's override
 * taming does for intrinsics) whose setter, on an instance, defines the instance's own property.
 * So `this.handle = this.handle.bind(this)` keeps working while `Class.prototype.handle = evil`
 * and `Object.getPrototypeOf(instance).handle = evil` are refused. The walk stops at Node's own
 * prototypes (EventEmitter, streams...): `isHostPrototype` says which; Node writes to those itself.
 */
export function sealPrototypeChain(fn: AnyObject, onWrite: (key: PropertyKey) => void, isHostPrototype: (proto: object) => boolean): void {
  for (let proto = fn.prototype; proto && typeof proto === 'object' && proto !== Object.prototype && !Object.isFrozen(proto) && !sealedPrototypes.has(proto) && !allViews.has(proto) && !isHostPrototype(proto); proto = Object.getPrototypeOf(proto)) {
    const owner: object = proto;
    sealedPrototypes.add(owner);
    for (const key of Reflect.ownKeys(owner)) {
      const descriptor = Object.getOwnPropertyDescriptor(owner, key)!;
      if (!('value' in descriptor) || !descriptor.configurable) continue;
      const value = descriptor.value;
      const get = () => value;
      sealedGetters.add(get);
      Object.defineProperty(owner, key, {
        get,
        set(this: object, next: unknown) {
          if (this === owner) return onWrite(key);
          Object.defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
        },
        enumerable: descriptor.enumerable,
        configurable: false,
      });
    }
    // Not frozen: a non-configurable writable property would turn read-only and break instances.
    Object.preventExtensions(owner);
  }
}

/** A data property a Proxy must report unchanged (its invariants forbid handing out a view). */
function isPinned(descriptor: PropertyDescriptor | undefined): boolean {
  return !!descriptor && 'value' in descriptor && !descriptor.configurable && !descriptor.writable;
}

/**
 * A deep read-only view (a membrane): every object or function reached through a property of
 * the view is itself a view, so `lib.defaults.rounds = 0` and `lib.default.check = evil` fail
 * like `lib.hash = evil` does. Functions reached this way run with the real object as `this`
 * when called on a view of this membrane (methods see their own object, so `this.count++` and
 * `this._map.get(k)` work); arguments are passed as given, never unwrapped, so a view cannot be
 * smuggled through another function to reach the real object. What functions return is theirs
 * to hand out and is not wrapped. One membrane per importing package and exported root keeps
 * identity stable inside that package (`lib.default === lib` when the exports say so).
 * Prototypes are not wrapped (`instanceof` against real classes must keep working, and a class's
 * `prototype` is pinned by Proxy invariants); instead, the prototype chain of every function seen
 * through a view is sealed (sealPrototypeChain), so methods cannot be replaced for everyone
 * through `Class.prototype` or an instance's prototype either.
 */
export function createReadOnlyMembrane(onWrite: (path: string) => void, isHostPrototype: (proto: object) => boolean): <T>(value: T, path?: string) => T {
  /** The member path each viewed object was first reached by (`stdout`, `defaults.rules`), for messages. */
  const paths = new WeakMap<object, string>();
  const pathOf = (target: object, key: PropertyKey) => {
    const base = paths.get(target);
    return base ? `${base}.${String(key)}` : String(key);
  };
  const views = new WeakMap<object, object>();
  const targets = new WeakMap<object, object>();

  const wrap = <T>(value: T, path?: string): T => {
    if (!needsView(value) || hasInternalSlots(value)) return value;
    if (path !== undefined && !paths.has(value)) paths.set(value, path);
    if (typeof value === 'function') sealPrototypeChain(value, (key) => onWrite(pathOf(value, `prototype.${String(key)}`)), isHostPrototype);
    let view = views.get(value);
    if (!view) {
      view = new Proxy(value, handler);
      views.set(value, view);
      targets.set(view, value);
      allViews.add(view);
    }
    return view as T;
  };
  const unwrap = (value: unknown): unknown => ((typeof value === 'object' && value !== null) || typeof value === 'function' ? targets.get(value) ?? value : value);
  const instanceChecks = new WeakMap<object, (candidate: unknown) => boolean>();

  const handler: ProxyHandler<AnyObject> = {
    get(target, key, receiver) {
      const isView = targets.get(receiver) === target;
      if (key === Symbol.hasInstance && typeof target === 'function' && !Object.prototype.hasOwnProperty.call(target, Symbol.hasInstance)) {
        // `x instanceof view` must test against the real prototype, not a view of it.
        let check = instanceChecks.get(target);
        if (!check) instanceChecks.set(target, (check = (candidate) => unwrap(candidate) instanceof (target as unknown as new () => unknown)));
        return check;
      }
      const value = Reflect.get(target, key, isView ? target : receiver);
      if (typeof value === 'function') sealPrototypeChain(value, (k) => onWrite(`${pathOf(target, key)}.prototype.${String(k)}`), isHostPrototype);
      return isPinned(Object.getOwnPropertyDescriptor(target, key)) ? value : wrap(value, pathOf(target, key));
    },
    getOwnPropertyDescriptor(target, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
      if (!descriptor || isPinned(descriptor)) return descriptor;
      if ('value' in descriptor) descriptor.value = wrap(descriptor.value, pathOf(target, key));
      return descriptor;
    },
    set(target, key, value, receiver) {
      if (targets.get(receiver) !== target) return Reflect.set(target, key, value, receiver);
      onWrite(pathOf(target, key));
      return Reflect.set(target, key, value);
    },
    defineProperty: (target, key, descriptor) => (onWrite(pathOf(target, key)), Reflect.defineProperty(target, key, descriptor)),
    deleteProperty: (target, key) => (onWrite(pathOf(target, key)), Reflect.deleteProperty(target, key)),
    setPrototypeOf: (target, proto) => (onWrite(pathOf(target, '__proto__')), Reflect.setPrototypeOf(target, proto)),
    preventExtensions: (target) => (onWrite(pathOf(target, '[[Extensible]]')), Reflect.preventExtensions(target)),
    apply: (target, thisArg, args) => Reflect.apply(target as (...a: unknown[]) => unknown, unwrap(thisArg), args),
    construct: (target, args, newTarget) => Reflect.construct(target as new (...a: unknown[]) => object, args, (targets.get(newTarget) === target ? target : newTarget) as new (...a: unknown[]) => object),
  };
  return wrap;
}
