// Per-package timers: opaque handles, so a package can neither clear nor walk into another package's timers.

import type { AnyObject } from './host.js';

type TimerKind = 'Timeout' | 'Interval' | 'Immediate';

interface TimerApi {
  set: (callback: (...args: any[]) => void, ...rest: any[]) => AnyObject;
  clear: (handle: unknown) => void;
}

/**
 * Returns `setTimeout`/`clearTimeout`-style pairs for one package. The handle a package gets is a
 * frozen object of ours (ref/unref/hasRef/refresh, a per-package numeric id for `+handle`); the
 * real Timeout, with its `_idleNext` list links and `_onTimeout`, never leaves this closure.
 */
export function createPackageTimers(realGlobal: AnyObject): Record<string, (...args: any[]) => unknown> {
  const byHandle = new WeakMap<object, AnyObject>();
  const byId = new Map<number, object>();
  let nextId = 1;

  const make = (kind: TimerKind, realSet: TimerApi['set'], realClear: TimerApi['clear']) => {
    const set = (callback: unknown, ...rest: unknown[]) => {
      if (typeof callback !== 'function') {
        throw new TypeError(`The "callback" argument must be of type function. Received ${typeof callback}`);
      }
      const id = nextId++;
      let handle: object;
      const delayAndArgs = kind === 'Immediate' ? [] : [rest.shift()];
      const real = realSet(function () {
        if (kind !== 'Interval') byId.delete(id);
        // Node calls the callback with the Timeout as `this`; ours gets the opaque handle.
        return Reflect.apply(callback as (...a: unknown[]) => unknown, handle, rest);
      }, ...delayAndArgs);
      handle = Object.freeze({
        ref() { real.ref?.(); return handle; },
        unref() { real.unref?.(); return handle; },
        hasRef() { return real.hasRef ? real.hasRef() : true; },
        refresh() { real.refresh?.(); return handle; },
        [Symbol.toPrimitive]() { return id; },
      });
      byHandle.set(handle, real);
      byId.set(id, handle);
      return handle;
    };
    const clear = (handleOrId: unknown) => {
      const handle = typeof handleOrId === 'number' || typeof handleOrId === 'string' ? byId.get(Number(handleOrId)) : handleOrId;
      const real = handle !== null && typeof handle === 'object' ? byHandle.get(handle) : undefined;
      if (!real) return; // not one of ours: clearing another package's timer is a silent no-op, as for an unknown id
      byId.delete(Number((handle as any)[Symbol.toPrimitive]()));
      realClear(real);
    };
    return [set, clear] as const;
  };

  const [setTimeout, clearTimeout] = make('Timeout', realGlobal.setTimeout, realGlobal.clearTimeout);
  const [setInterval, clearInterval] = make('Interval', realGlobal.setInterval, realGlobal.clearInterval);
  const [setImmediate, clearImmediate] = make('Immediate', realGlobal.setImmediate, realGlobal.clearImmediate);
  return { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate };
}

export const TIMER_NAMES: ReadonlySet<string> = new Set([
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
]);
