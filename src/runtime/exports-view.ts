// Read-only views: how one package sees another package's exports or a shared host object it may use but not change.

import type { AnyObject } from './host.js';

/**
 * A Proxy whose only traps refuse changes made through the view itself. Reads, calls,
 * `new` and `instanceof` pass straight to the target (no get trap, so no per-access cost
 * beyond the Proxy's own). Writes whose receiver is some other object (a subclass, an
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

/** Objects and functions can be viewed; primitives and already-frozen values need no view. */
export function needsView(value: unknown): value is AnyObject {
  return (typeof value === 'object' && value !== null) || typeof value === 'function' ? !Object.isFrozen(value) : false;
}
