// Read-only views: how one package sees another package's exports or a shared host object it may use but not change.

import type { AnyObject } from './host.js';

const HAS_INSTANCE: typeof Symbol.hasInstance = Symbol.hasInstance;
const hasOwn = Object.prototype.hasOwnProperty;

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
 * A shallow read-only view: a Proxy whose traps refuse changes made through the view itself.
 * Reads, calls, `new` and `instanceof` reach the target as they are, and nothing read is wrapped
 * (the `get` and `construct` traps only keep V8 on its fast paths). Used for granted host classes
 * (Buffer, URL) whose prototypes the runtime freezes, so nothing nested is left to change. Writes
 * whose receiver is some other object (a subclass, an `Object.create(view)` child) are that
 * object's own business and go through.
 */
export function createReadOnlyView<T extends AnyObject>(target: T, onWrite: (key: PropertyKey) => void): T {
  let view: T;
  let instanceCheck: ((candidate: unknown) => boolean) | undefined;
  // onWrite throws a PermissionError; when it returns (warn and record modes), the change goes through.
  const handler: ProxyHandler<T> = {
    get(obj, key, receiver) {
      // `x instanceof view` with a Proxy on the right leaves V8's fast path (~5x slower than this
      // trap, parseurl does it on every request); `x instanceof obj` is the same test.
      if (key === HAS_INSTANCE && typeof obj === 'function' && !hasOwn.call(obj, HAS_INSTANCE)) {
        return (instanceCheck ??= (candidate) => candidate instanceof (obj as unknown as new () => unknown));
      }
      return Reflect.get(obj, key, receiver);
    },
    set(obj, key, value, receiver) {
      if (receiver !== view) return Reflect.set(obj, key, value, receiver);
      onWrite(key);
      return Reflect.set(obj, key, value);
    },
    defineProperty: (obj, key, descriptor) => (onWrite(key), Reflect.defineProperty(obj, key, descriptor)),
    deleteProperty: (obj, key) => (onWrite(key), Reflect.deleteProperty(obj, key)),
    setPrototypeOf: (obj, proto) => (onWrite('__proto__'), Reflect.setPrototypeOf(obj, proto)),
    preventExtensions: (obj) => (onWrite('[[Extensible]]'), Reflect.preventExtensions(obj)),
    // `new view()` constructs the real class: a Proxy as new.target sends V8 to its slow allocation path.
    construct: (obj, args, newTarget) => Reflect.construct(obj as unknown as new (...a: unknown[]) => object, args, ((newTarget as unknown) === view ? obj : newTarget) as new (...a: unknown[]) => object),
  };
  view = new Proxy(target, handler);
  return view;
}

/** Prototypes, and Node's classes (for their statics), already sealed. */
const sealedOwners = new WeakSet<object>();
/** The getters sealPrototypeChain installs: a facade reads through them to find the method. */
const sealedGetters = new WeakSet<object>();

/** The value behind a property that may have been sealed into an accessor pair. */
export function sealedValueOf(descriptor: PropertyDescriptor): { found: boolean; value?: unknown } {
  if ('value' in descriptor) return { found: true, value: descriptor.value };
  if (descriptor.get && sealedGetters.has(descriptor.get)) return { found: true, value: descriptor.get() };
  return { found: false };
}

/**
 * Every view any membrane made -> the real object behind it (through views of views): a view is
 * already read-only, so a prototype walk stops there.
 */
const viewTargets = new WeakMap<object, object>();

/** Only a type: TypeScript wants a computed class field's key typed as a literal or a unique symbol. */
declare const FIELD_KEY: unique symbol;

/** A constructor that returns its argument, so that a subclass's field initializers define fields on that object. */
class ReturnsArgument {
  constructor(target: object) {
    return target;
  }
}

/**
 * `(target, value)`: defines `target[key] = value` as an own data property (writable, enumerable,
 * configurable) even when `key` is an inherited accessor, as Object.defineProperty would. A class
 * field defines it through V8's define-own IC instead of a runtime call, and a sealed setter runs on
 * every instance's first store of a member: `new EventEmitter()` stores three (`_events`,
 * `_eventsCount`, `_maxListeners`) and took 490 ns with Object.defineProperty, 86 ns this way
 * (39 ns unsealed). See bench/README.md, "Since 23:48".
 */
export function ownPropertyDefiner(key: PropertyKey): (target: object, value: unknown) => void {
  let pending: unknown;
  const fieldKey = key as typeof FIELD_KEY;
  const Definer = class extends ReturnsArgument {
    // Must stay a native class field (target ES2022): lowered to an assignment it would run the setter again.
    [fieldKey] = pending;
  };
  return (target, value) => {
    pending = value;
    try {
      new Definer(target);
    } finally {
      pending = undefined;
    }
  };
}

/**
 * Called on a write to a sealed member of the owner itself (`Class.prototype.m = x`): throws or
 * reports the denial; `true` lets the write through (Node's own modules patching Node's classes).
 */
export type OwnerWrite = (key: PropertyKey) => boolean | void;

export interface SealOptions {
  /**
   * Members to delete rather than seal behind an accessor: an instance's store to one is then an
   * ordinary new property, where the accessor's setter costs a call and a define. Only for members
   * that read the same (or as harmlessly) once gone; see undefinedMember.
   */
  droppable?: (owner: object, key: PropertyKey, value: unknown) => boolean;
}

/**
 * A member holding undefined (EventEmitter's _events, ServerResponse's statusMessage) reads the
 * same once deleted, unless a prototype further up has the key.
 */
export const undefinedMember = (owner: object, key: PropertyKey, value: unknown): boolean => value === undefined && !Reflect.has(Object.getPrototypeOf(owner) ?? {}, key);

/**
 * Locks a package class's prototype chain so that no package changes methods for everyone,
 * without the "override mistake": each method becomes a getter/setter pair (as ses's override
 * taming does for intrinsics) whose setter, on an instance, defines the instance's own property.
 * So `this.handle = this.handle.bind(this)` keeps working while `Class.prototype.handle = evil`
 * and `Object.getPrototypeOf(instance).handle = evil` are refused. The walk stops at Node's own
 * prototypes (EventEmitter, streams...), which `isHostPrototype` names: the runtime seals those for
 * every package at once (sealHostPrototypes in ./index.ts).
 */
export function sealPrototypeChain(fn: AnyObject, onWrite: OwnerWrite, isHostPrototype: (proto: object) => boolean, { droppable }: SealOptions = {}): void {
  for (let proto = fn.prototype; proto && typeof proto === 'object' && proto !== Object.prototype && !Object.isFrozen(proto) && !sealedOwners.has(proto) && !viewTargets.has(proto) && !isHostPrototype(proto); proto = Object.getPrototypeOf(proto)) {
    sealedOwners.add(proto);
    sealMembers(proto, onWrite, droppable);
    // Not frozen: a non-configurable writable property would turn read-only and break instances.
    Object.preventExtensions(proto);
  }
}

/**
 * Locks a Node class's own static members the way its prototype's are: an instance's constructor
 * is the shared class itself, so `emitter.constructor.init = hook` would run for every emitter
 * made afterwards, and `emitter.constructor.prototype = other` would hand them all another
 * prototype. Writable statics become override-friendly accessors (a subclass may still set its
 * own), the rest are pinned, `prototype` turns read-only, and the class takes no new members.
 */
export function sealStatics(ctor: AnyObject, onWrite: OwnerWrite): void {
  if (sealedOwners.has(ctor) || Object.isFrozen(ctor)) return;
  sealedOwners.add(ctor);
  // A function's own `prototype` is non-configurable, but writable unless it was made by `class`.
  if (Object.getOwnPropertyDescriptor(ctor, 'prototype')?.writable) Object.defineProperty(ctor, 'prototype', { writable: false });
  sealMembers(ctor, onWrite);
  Object.preventExtensions(ctor);
}

/**
 * Turns each configurable, writable data member of `owner` into the getter/setter pair described
 * at sealPrototypeChain, or deletes it where `droppable` says it reads the same gone; pins the
 * configurable read-only ones. A non-configurable writable member stays as it is: the caller
 * decides (EventEmitter's kCapture flag, the only one among Node's classes; see ./index.ts).
 */
function sealMembers(owner: object, onWrite: OwnerWrite, droppable?: SealOptions['droppable']): void {
  for (const key of Reflect.ownKeys(owner)) {
    const descriptor = Object.getOwnPropertyDescriptor(owner, key)!;
    if (!('value' in descriptor) || !descriptor.configurable) continue;
    // Read-only already (a class's name and length): only a redefinition could change it.
    if (!descriptor.writable) {
      Object.defineProperty(owner, key, { configurable: false });
      continue;
    }
    let value: unknown = descriptor.value;
    // Once the owner takes no new members (the callers see to it), no one can put a deleted one back.
    if (droppable?.(owner, key, value)) {
      Reflect.deleteProperty(owner, key);
      continue;
    }
    // Mixins copy descriptors (express: merge-descriptors(app, EventEmitter.prototype)), so an object
    // can hold this very pair as its own, non-configurable property. Its writes are kept here.
    let copies: WeakMap<object, unknown> | undefined;
    const get = function (this: unknown) {
      return copies !== undefined && copies.has(this as object) ? copies.get(this as object) : value;
    };
    sealedGetters.add(get);
    // Made on the first instance store: most sealed members are never stored on an instance.
    let defineOwn: ((target: object, value: unknown) => void) | undefined;
    Object.defineProperty(owner, key, {
      get,
      set(this: object, next: unknown) {
        if (this === owner) {
          if (onWrite(key) === true) value = next;
          return;
        }
        // hasOwn first: the common case (an instance's first store of the member) allocates no descriptor.
        if (hasOwn.call(this, key) && Object.getOwnPropertyDescriptor(this, key)?.get === get) {
          (copies ??= new WeakMap()).set(this, next);
          return;
        }
        (defineOwn ??= ownPropertyDefiner(key))(this, next);
      },
      enumerable: descriptor.enumerable,
      configurable: false,
    });
  }
}

/** A data property a Proxy must report unchanged (its invariants forbid handing out a view). */
function isPinned(descriptor: PropertyDescriptor | undefined): boolean {
  return !!descriptor && 'value' in descriptor && !descriptor.configurable && !descriptor.writable;
}

/** `sealedFrom` before a function's prototype chain was first sealed (a prototype is never this). */
const NOT_SEALED: unique symbol = Symbol('not sealed');

/** One membrane's state, shared by the handlers of all its views. */
interface MembraneState {
  readonly onWrite: (path: string) => void;
  readonly isHostPrototype: (proto: object) => boolean;
  /** Host objects whose properties V8 reads through C++ interceptors (process.env): their views stand on a shadow. */
  readonly readsThroughInterceptors: (value: object) => boolean;
  /** Each viewed object or function -> the handler of its view (which holds the view). */
  readonly handlers: WeakMap<object, ViewHandler>;
  /** Each view -> its target: `this` of a call through a view is the real object. */
  readonly targets: WeakMap<object, object>;
  /** Objects and functions handed out as they are: frozen (that stays so) or with internal slots. */
  readonly passThrough: WeakSet<object>;
  /** Functions handed out as they are -> the `prototype` their chain was sealed from. */
  readonly sealedFrom: WeakMap<object, unknown>;
}

/** `key` under `base`, as messages name members (`stdout.write`, `defaults.rules`). */
function joinPath(base: string | undefined, key: PropertyKey): string {
  return base ? `${base}.${String(key)}` : String(key);
}

/**
 * Seals a function's prototype chain (sealPrototypeChain) unless it was already sealed from the
 * same `prototype`. The walk's stopping points never reopen (sealed, frozen, a view, a host
 * prototype), and the prototypes it sealed can no longer change their own prototype; only
 * `fn.prototype` itself can be replaced (by the owner, or `inherits()`), so it is the memo's key.
 */
function sealOnce(state: MembraneState, fn: AnyObject, done: unknown, base: string | undefined, key: PropertyKey | undefined): unknown {
  const proto = fn.prototype;
  if (proto === done) return done;
  const path = key === undefined ? base : joinPath(base, key);
  sealPrototypeChain(fn, (k) => state.onWrite(joinPath(path, `prototype.${String(k)}`)), state.isHostPrototype);
  return proto;
}

/**
 * A call's result is handed out as it is, but its prototype is as shared as an exported class's:
 * `Object.getPrototypeOf(lib.openSession()).sign = spy` would change every session the package makes,
 * the other importers' included. So the result's prototype chain is sealed like an exported class's
 * (its own members stay the caller's to change). Plain objects, arrays, promises and Node's objects
 * stop the walk at once (Object.prototype, frozen intrinsics, host prototypes).
 */
function sealResultPrototype(state: MembraneState, result: object, path: string | undefined): void {
  const proto = Object.getPrototypeOf(result) as object | null;
  if (proto === null || proto === Object.prototype || sealedOwners.has(proto)) return;
  // The message's path is built only on a refused write: most results' walks stop at once.
  sealPrototypeChain({ prototype: proto } as AnyObject, (k) => state.onWrite(joinPath(`${path ?? 'a function'}() result's prototype`, k)), state.isHostPrototype);
}

/**
 * The view of `value` in this membrane (made on first sight), or `value` itself when it needs none
 * (a primitive, a frozen value, a built-in with internal slots). Every function passing through is
 * sealed (sealOnce). `base`/`key` name where the value was reached, for messages.
 */
function viewOf(state: MembraneState, value: unknown, base: string | undefined, key: PropertyKey | undefined): unknown {
  if (typeof value !== 'function' && (typeof value !== 'object' || value === null)) return value;
  const known = state.handlers.get(value);
  if (known !== undefined) {
    if (known.path === undefined && (base !== undefined || key !== undefined)) known.path = key === undefined ? base : joinPath(base, key);
    if (typeof value === 'function') known.sealedFrom = sealOnce(state, value, known.sealedFrom, known.path, undefined);
    return known.view;
  }
  if (state.passThrough.has(value)) {
    if (typeof value === 'function') state.sealedFrom.set(value, sealOnce(state, value, state.sealedFrom.has(value) ? state.sealedFrom.get(value) : NOT_SEALED, base, key));
    return value;
  }
  if (!needsView(value) || hasInternalSlots(value)) {
    state.passThrough.add(value);
    if (typeof value === 'function') state.sealedFrom.set(value, sealOnce(state, value, NOT_SEALED, base, key));
    return value;
  }
  const path = key === undefined ? base : joinPath(base, key);
  // A view of another membrane's view (a package re-exporting what it imported) goes through that
  // view for everything, but its Proxy stands on the real object: V8 checks each trap's result
  // against the Proxy's target, and against a view that check is a trap call of its own.
  const real = viewTargets.get(value);
  const shadowed = real === undefined && state.readsThroughInterceptors(value);
  const handler = shadowed ? new ShadowViewHandler(state, path, value) : real === undefined ? new ViewHandler(state, path) : new StackedViewHandler(state, path, value);
  if (typeof value === 'function') handler.sealedFrom = sealOnce(state, value, NOT_SEALED, handler.path, undefined);
  const view = new Proxy(shadowed ? Object.create(Object.getPrototypeOf(value) as object | null) : real ?? value, handler);
  handler.view = view;
  state.handlers.set(value, handler);
  state.targets.set(view, value);
  viewTargets.set(view, real ?? value);
  return view;
}

/**
 * The handler of one view (its traps run with the handler as `this`): it knows its view, so no
 * trap looks it up, and the member path is joined only for a message.
 */
class ViewHandler implements ProxyHandler<AnyObject> {
  view: AnyObject = undefined as unknown as AnyObject;
  /** The member path this object was first reached by (`stdout`, `defaults.rules`), for messages. */
  path: string | undefined;
  /** For a function: the `prototype` its chain was last sealed from. */
  sealedFrom: unknown = NOT_SEALED;
  protected instanceCheck: ((candidate: unknown) => boolean) | undefined = undefined;

  constructor(
    protected readonly state: MembraneState,
    path: string | undefined,
  ) {
    this.path = path;
  }

  /**
   * What the traps operate on: the Proxy's own target (the real object), except for a view of
   * another membrane's view, which goes through that view (StackedViewHandler).
   */
  protected subject(target: AnyObject): AnyObject {
    return target;
  }

  get(target: AnyObject, key: PropertyKey, receiver: unknown): unknown {
    const subject = this.subject(target);
    if (key === HAS_INSTANCE && typeof target === 'function' && !hasOwn.call(target, HAS_INSTANCE)) {
      // `x instanceof view` must test against the real prototype, not a view of it.
      const targets = this.state.targets;
      return (this.instanceCheck ??= (candidate) => realOf(targets, candidate) instanceof (subject as unknown as new () => unknown));
    }
    const value = Reflect.get(subject, key, receiver === this.view ? subject : receiver);
    // Primitives need no view and satisfy every Proxy invariant as they are.
    if (typeof value !== 'function' && (typeof value !== 'object' || value === null)) return value;
    const result = viewOf(this.state, value, this.path, key);
    if (result === value) return value;
    // A view of a pinned property's value would break the Proxy's invariants: that value is handed out as it is.
    return isPinned(Object.getOwnPropertyDescriptor(target, key)) ? value : result;
  }

  getOwnPropertyDescriptor(target: AnyObject, key: PropertyKey): PropertyDescriptor | undefined {
    const descriptor = Reflect.getOwnPropertyDescriptor(this.subject(target), key);
    if (!descriptor || isPinned(descriptor)) return descriptor;
    if ('value' in descriptor) descriptor.value = viewOf(this.state, descriptor.value, this.path, key);
    return descriptor;
  }

  set(target: AnyObject, key: PropertyKey, value: unknown, receiver: unknown): boolean {
    const subject = this.subject(target);
    if (receiver !== this.view) return Reflect.set(subject, key, value, receiver);
    this.state.onWrite(joinPath(this.path, key));
    return Reflect.set(subject, key, value);
  }

  defineProperty(target: AnyObject, key: PropertyKey, descriptor: PropertyDescriptor): boolean {
    this.state.onWrite(joinPath(this.path, key));
    return Reflect.defineProperty(this.subject(target), key, descriptor);
  }

  deleteProperty(target: AnyObject, key: PropertyKey): boolean {
    this.state.onWrite(joinPath(this.path, key));
    return Reflect.deleteProperty(this.subject(target), key);
  }

  setPrototypeOf(target: AnyObject, proto: object | null): boolean {
    this.state.onWrite(joinPath(this.path, '__proto__'));
    return Reflect.setPrototypeOf(this.subject(target), proto);
  }

  preventExtensions(target: AnyObject): boolean {
    this.state.onWrite(joinPath(this.path, '[[Extensible]]'));
    return Reflect.preventExtensions(this.subject(target));
  }

  apply(target: AnyObject, thisArg: unknown, args: unknown[]): unknown {
    const self = realOf(this.state.targets, thisArg);
    const result = Reflect.apply(this.subject(target) as (...a: unknown[]) => unknown, self, args);
    // What the caller passed in and gets back (`identity(x)`, `assign(target, ...)`, chaining) is its own.
    if (typeof result === 'object' && result !== null && result !== self && !args.includes(result)) sealResultPrototype(this.state, result, this.path);
    return result;
  }

  construct(target: AnyObject, args: unknown[], newTarget: AnyObject): object {
    const subject = this.subject(target) as new (...a: unknown[]) => object;
    return Reflect.construct(subject, args, (newTarget === this.view ? subject : newTarget) as new (...a: unknown[]) => object);
  }
}

/**
 * The view one membrane gives of another membrane's view (`inner`): every operation goes through
 * `inner` exactly as with a Proxy whose target is `inner`, so both membranes see (and report) it;
 * only the Proxy's own target is the real object. That changes nothing a package can observe: the
 * real object has the same keys, prototype, extensibility and property attributes as `inner`
 * reports, and the same values wherever Proxy invariants pin one.
 */
class StackedViewHandler extends ViewHandler {
  constructor(
    state: MembraneState,
    path: string | undefined,
    private readonly inner: AnyObject,
  ) {
    super(state, path);
  }

  protected override subject(): AnyObject {
    return this.inner;
  }
}

/**
 * The view of a host object whose properties V8 reads through C++ interceptors: process.env, where
 * every read is a getenv. After each trap V8 checks the result against the Proxy's target, which
 * for such an object is a second interceptor call per read (yaml reads `process.env.LOG_TOKENS`
 * per token: 10% of its parse time went to the two lookups and the check). This view's Proxy
 * stands on an empty, extensible shadow instead, and every trap goes to the real object, as a
 * stacked view's traps go to the inner view. No invariant can pin anything the shadow does not
 * hold: process.env refuses non-configurable properties and preventExtensions, so the real object
 * stays as unconstrained as the shadow.
 */
class ShadowViewHandler extends StackedViewHandler {
  // The traps a Proxy would otherwise answer from its own target, here the shadow.
  has(_shadow: AnyObject, key: PropertyKey): boolean {
    return Reflect.has(this.subject(), key);
  }

  ownKeys(): ArrayLike<string | symbol> {
    return Reflect.ownKeys(this.subject());
  }

  getPrototypeOf(): object | null {
    return Reflect.getPrototypeOf(this.subject());
  }
}

/** The object behind a view of this membrane (for `this` and `instanceof`), or the value itself. */
function realOf(targets: WeakMap<object, object>, value: unknown): unknown {
  return (typeof value === 'object' && value !== null) || typeof value === 'function' ? targets.get(value) ?? value : value;
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
 *
 * Hot path (every member read and call across packages): a read of a primitive costs the trap
 * and the read; a read of an object or function one WeakMap hit (its view, made once per object),
 * for a function a check that its `prototype` is still the one its chain was sealed from, and the
 * property's descriptor when a view is handed out (a pinned property must give the real value).
 * A call costs the trap and one WeakMap lookup of `this`. Nothing is cached per property: every
 * read sees the property as it is now, so an owner's later changes always show.
 */
export function createReadOnlyMembrane(
  onWrite: (path: string) => void,
  isHostPrototype: (proto: object) => boolean,
  readsThroughInterceptors: (value: object) => boolean = () => false,
): <T>(value: T, path?: string) => T {
  const state: MembraneState = {
    onWrite,
    isHostPrototype,
    readsThroughInterceptors,
    handlers: new WeakMap(),
    targets: new WeakMap(),
    passThrough: new WeakSet(),
    sealedFrom: new WeakMap(),
  };
  return <T>(value: T, path?: string): T => viewOf(state, value, path, undefined) as T;
}
