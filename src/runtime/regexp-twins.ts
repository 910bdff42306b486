// RegExp split, replace and match that keep V8's fast paths after lockdown: ordinary regexps run on a twin in a private realm.
//
// V8 takes its compiled paths for RegExp.prototype[@@split], [@@replace] and [@@match] (and so for
// String.prototype.split/replace/replaceAll/match) only while RegExp.prototype still has the map the
// engine gave it at startup. Lockdown must freeze RegExp.prototype (else one package could rewrite
// `exec` under every other), and freezing replaces that map for good: every call then goes to the
// generic runtime path, which re-reads properties at each step and, for split, runs one sticky match
// per character. Measured on Node 20: split 85 ns to 2,270 ns, replace of a global regexp 0.9 µs to
// 7.4 µs, match 0.76 µs to 2.0 µs.
//
// A second realm (a `vm` context) has its own RegExp.prototype, untouched. For a regexp whose
// behaviour the spec fixes entirely from its pattern and flags (our realm's RegExp.prototype as its
// prototype, none of the properties the algorithm reads shadowed by an own property), the methods
// below run the same algorithm on a twin regexp made in that realm, and so on V8's fast path. Anything
// else, and any argument whose conversion could run code, goes to the original method unchanged.
//
// Nothing of the private realm reaches package code: results are copied into arrays of this realm,
// a replace callback is called by our own wrapper with this realm's arguments (the named-groups object
// copied), and an exception the private realm raises is rethrown as this realm's error of the same
// name. The realm's objects are reachable only from these closures, which lockdown freezes with
// RegExp.prototype. test/runtime/regexp-twins.test.ts compares every routed case with plain Node.

import type { AnyObject } from './host.js';

/** What the runtime takes from the private realm, once, when a routed call first needs it. */
interface PrivateRealm {
  RegExp: RegExpConstructor;
  split: (this: RegExp, string: string, limit?: number) => string[];
  replace: (this: RegExp, string: string, replaceValue: string | ((...args: any[]) => string)) => string;
  match: (this: RegExp, string: string) => RegExpMatchArray | null;
}

interface Twin {
  regexp: RegExp;
  global: boolean;
  sticky: boolean;
}

/** Properties the replace and match algorithms read from the regexp: `flags` and the getters it calls, and `exec`. */
const READ_BY_EXEC_ALGORITHMS: readonly PropertyKey[] = ['exec', 'flags', 'hasIndices', 'global', 'ignoreCase', 'multiline', 'dotAll', 'unicode', 'unicodeSets', 'sticky'];
/** Properties split reads: `flags` and its getters, `constructor` (the species lookup) and @@match (the splitter's `new RegExp(rx)`). */
const READ_BY_SPLIT: readonly PropertyKey[] = ['constructor', Symbol.match, 'flags', 'hasIndices', 'global', 'ignoreCase', 'multiline', 'dotAll', 'unicode', 'unicodeSets', 'sticky'];

/** Distinct patterns kept at once (each twin holds one compiled regexp of the private realm). */
const MAX_TWINS = 2048;

const ERRORS_BY_NAME: Record<string, ErrorConstructor> = { Error, RangeError, TypeError, SyntaxError, ReferenceError, EvalError, URIError };

/**
 * Replaces RegExp.prototype[@@split], [@@replace] and [@@match] with the routing versions. Call it
 * before lockdown, which freezes them in place. `openPrivateRealm` returns a fresh realm's global
 * object (`vm.runInNewContext('globalThis')`); it is called at most once, on first use.
 */
export function installRegExpTwins(openPrivateRealm: () => AnyObject): void {
  const { apply, getPrototypeOf } = Reflect;
  const { hasOwn, getOwnPropertyDescriptor, create, defineProperty } = Object;
  const RegExpPrototype = RegExp.prototype;
  // Already locked down (a second sandboxed bundle in this process): leave it to lockdown to say so.
  if (Object.isFrozen(RegExpPrototype)) return;
  const original = { split: RegExpPrototype[Symbol.split], replace: RegExpPrototype[Symbol.replace], match: RegExpPrototype[Symbol.match] };
  const exec = RegExpPrototype.exec;
  const sourceOf = getOwnPropertyDescriptor(RegExpPrototype, 'source')!.get!;

  /**
   * The flags as `flags` lists them. Plain reads: this runs only after twinOf has checked that the
   * regexp's prototype is ours and that it shadows none of the flag getters, so each read is the
   * frozen intrinsic getter (an engine without `unicodeSets` reads undefined).
   */
  const flagsOf = (rx: RegExp): string =>
    (rx.hasIndices ? 'd' : '') + (rx.global ? 'g' : '') + (rx.ignoreCase ? 'i' : '') + (rx.multiline ? 'm' : '') + (rx.dotAll ? 's' : '') + (rx.unicode ? 'u' : '') + ((rx as AnyObject).unicodeSets ? 'v' : '') + (rx.sticky ? 'y' : '');

  let realm: PrivateRealm | undefined;
  const privateRealm = (): PrivateRealm => {
    if (realm) return realm;
    const g = openPrivateRealm();
    const P = g.RegExp.prototype;
    realm = { RegExp: g.RegExp, split: P[Symbol.split], replace: P[Symbol.replace], match: P[Symbol.match] };
    return realm;
  };

  // Twins are shared by pattern and flags, not kept per regexp: a regexp literal inside a function is a
  // new object at every call, and a twin per object would cost a `new RegExp` each time. Sharing is
  // sound because nothing reads a twin's lastIndex across a callback: global replace and match reset it
  // and finish matching before any callback runs, split never uses it, and non-global non-sticky
  // matching starts at 0 whatever it holds. Patterns can come from data (`new RegExp(userInput)`), so
  // the table is emptied when it reaches MAX_TWINS rather than grow without bound.
  const twinsByFlags = new Map<string, Map<string, Twin>>();
  let twinCount = 0;
  const shadows = (rx: object, names: readonly PropertyKey[]): boolean => {
    for (let i = 0; i < names.length; i++) if (hasOwn(rx, names[i]!)) return true;
    return false;
  };
  /**
   * The source of `rx` if the algorithm's outcome depends on nothing but its pattern and flags (a regexp
   * with our prototype, shadowing none of `reads`); else undefined.
   */
  const ordinarySource = (rx: unknown, reads: readonly PropertyKey[]): string | undefined => {
    if (rx === RegExpPrototype) return undefined;
    let source: string;
    try {
      // The brand check: throws for anything that is not a regexp (a Proxy's traps never run).
      source = apply(sourceOf, rx, []);
    } catch {
      return undefined;
    }
    return getPrototypeOf(rx as object) !== RegExpPrototype || shadows(rx as object, reads) ? undefined : source;
  };
  /** The twin of an ordinary regexp (see ordinarySource). */
  const twinFor = (rx: RegExp, source: string): Twin => {
    const flags = flagsOf(rx);
    let bySource = twinsByFlags.get(flags);
    if (bySource === undefined) twinsByFlags.set(flags, (bySource = new Map()));
    let twin = bySource.get(source);
    if (twin === undefined) {
      if (twinCount >= MAX_TWINS) {
        for (const table of twinsByFlags.values()) table.clear();
        twinCount = 0;
      }
      twin = { regexp: new (privateRealm().RegExp)(source, flags), global: flags.includes('g'), sticky: flags.includes('y') };
      bySource.set(source, twin);
      twinCount++;
    }
    return twin;
  };
  const twinOf = (rx: unknown, reads: readonly PropertyKey[]): Twin | undefined => {
    const source = ordinarySource(rx, reads);
    return source === undefined ? undefined : twinFor(rx as RegExp, source);
  };

  /** Copies an array of the private realm into one of ours. */
  const ours = <T>(values: ArrayLike<T>): T[] => {
    const copy: T[] = [];
    for (let i = 0; i < values.length; i++) copy.push(values[i]!);
    return copy;
  };
  /** An exception the private realm raised, as our realm's error (its own object would carry that realm's constructors). */
  const ourError = (error: unknown): Error => {
    const { name, message } = error as { name?: unknown; message?: unknown };
    const Ctor = typeof name === 'string' && hasOwn(ERRORS_BY_NAME, name) ? ERRORS_BY_NAME[name]! : Error;
    return new Ctor(String(message));
  };
  const callPrivate = <R>(method: (...args: any[]) => R, twin: RegExp, args: unknown[]): R => {
    try {
      return apply(method, twin, args);
    } catch (error) {
      throw ourError(error);
    }
  };

  /** replace with a function: the private realm calls our wrapper, which calls the function with our arguments and converts its result. */
  const replaceCalling = (twin: RegExp, string: string, replacer: (...args: unknown[]) => unknown): string => {
    let failure: { error: unknown } | undefined;
    const callback = (...args: unknown[]): string => {
      const last = args[args.length - 1];
      if (typeof last === 'object' && last !== null) {
        // The named groups: a null-prototype object of the private realm. It has no path back to that
        // realm, but a copy keeps the rule above without exceptions.
        const groups: AnyObject = create(null);
        for (const key in last) groups[key] = (last as AnyObject)[key];
        args[args.length - 1] = groups;
      }
      try {
        return `${apply(replacer, undefined, args)}`;
      } catch (error) {
        failure = { error };
        throw error;
      }
    };
    try {
      return apply(privateRealm().replace, twin, [string, callback]);
    } catch (error) {
      // The function's own exception goes on as it was thrown; anything else came from the private realm.
      if (failure !== undefined && failure.error === error) throw error;
      throw ourError(error);
    }
  };

  // Method syntax: like the originals, no `prototype` and not constructors; names "[Symbol.split]" etc.
  const routed = {
    [Symbol.split](this: unknown, string: unknown, limit: unknown): string[] {
      const twin = typeof string === 'string' && (limit === undefined || typeof limit === 'number') ? twinOf(this, READ_BY_SPLIT) : undefined;
      if (twin === undefined) return apply(original.split, this, [string, limit]);
      // split never reads or writes lastIndex: it matches with a new sticky copy of the regexp.
      return ours(callPrivate(privateRealm().split, twin.regexp, [string, limit]));
    },
    [Symbol.replace](this: unknown, string: unknown, replaceValue: unknown): string {
      const twin = typeof string === 'string' && (typeof replaceValue === 'string' || typeof replaceValue === 'function') ? twinOf(this, READ_BY_EXEC_ALGORITHMS) : undefined;
      const rx = this as RegExp;
      if (twin === undefined || (!twin.global && (twin.sticky || typeof rx.lastIndex !== 'number'))) {
        // A sticky regexp's lastIndex is read and written between match and callback; an object
        // lastIndex would run code in ToLength. Both stay with the original.
        return apply(original.replace, this, [string, replaceValue]);
      }
      // As the spec: a global replace sets lastIndex to 0 first (throwing if it is read-only), and its
      // last, failing match leaves it at 0; a non-global, non-sticky one neither reads a value that
      // matters nor writes it.
      if (twin.global) rx.lastIndex = 0;
      if (typeof replaceValue === 'function') return replaceCalling(twin.regexp, string as string, replaceValue as (...args: unknown[]) => unknown);
      return callPrivate(privateRealm().replace, twin.regexp, [string, replaceValue]);
    },
    [Symbol.match](this: unknown, string: unknown): RegExpMatchArray | null {
      const source = typeof string === 'string' ? ordinarySource(this, READ_BY_EXEC_ALGORITHMS) : undefined;
      if (source === undefined) return apply(original.match, this, [string]);
      const rx = this as RegExp;
      // A non-global match is exec, whose own fast path survives lockdown: no twin needed.
      if (!rx.global) return apply(exec, rx, [string]);
      rx.lastIndex = 0;
      const matches = callPrivate(privateRealm().match, twinFor(rx, source).regexp, [string]);
      return matches === null ? null : (ours(matches) as RegExpMatchArray);
    },
  };
  for (const key of [Symbol.split, Symbol.replace, Symbol.match] as const) {
    defineProperty(RegExpPrototype, key, { value: routed[key], writable: true, enumerable: false, configurable: true });
  }
}
