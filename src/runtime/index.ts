// The runtime shim inlined into every sandboxed bundle: lockdown, then one scope per package built from the policy.

import type { RuntimePackagePolicy } from '../policy/types.js';
import type { AnyObject, HostPowers, LockedDownPowers, SandboxConfig } from './host.js';
import { PermissionError, type PermissionKind } from './permission-error.js';
import { createGrantTrees, type GrantNode } from './grant-tree.js';
import { createFacade, shareHostClass, type FacadeContext } from './facade.js';
import { createReadOnlyMembrane, needsView, ownPropertyDefiner, sealPrototypeChain, sealStatics, undefinedMember, type OwnerWrite } from './exports-view.js';
import { createPackageTimers, TIMER_NAMES } from './timers.js';
import { HIDDEN_DOORS } from './hidden-doors.js';
import { isNamedWithoutGrant } from './denied-builtins.js';
import { createFdGuard } from './fs-descriptors.js';
import { installCrashReporter } from './crash-reporter.js';
import { installRegExpTwins } from './regexp-twins.js';
import { joinPath, toFileUrl } from './paths.js';
import { createMonitor } from './monitor.js';

export { PermissionError };
/** Exported for test/runtime/regexp-twins.test.ts, which installs them with a private realm that counts its calls. */
export { installRegExpTwins };

/** What wrapped module code sees as `__sb`: its package's scope. */
export interface PackageScope {
  /** The package's own global object (a ses Compartment's): free identifiers read from here. */
  globalThis: AnyObject;
  /** The scoped `require` every non-literal use of `require` is rewritten to. */
  require: ScopedRequire;
  /** The scoped `import()` every computed dynamic import is rewritten to. */
  import(specifier: unknown): Promise<unknown>;
  /** Module paths are stored relative to the bundle, so a bundle keeps working when moved. */
  filename(relativePath: string): string;
  dirname(relativePath: string): string;
  meta(relativePath: string): { url: string; filename: string; dirname: string };
}

export interface ScopedRequire {
  (specifier: unknown): unknown;
  resolve(specifier: unknown): string;
}

/** JS intrinsics a ses Compartment leaves out or disables (clock, randomness, floats, weak refs) that carry no host authority. */
const DEFAULT_ENDOWMENTS = ['Date', 'Math', 'Intl', 'Float32Array', 'Float64Array', 'WeakRef', 'FinalizationRegistry'];

/** Globals ses installs on the real global object: never handed to packages. */
const SES_GLOBALS = new Set(['lockdown', 'harden', 'Compartment', 'assert', 'repairIntrinsics', 'hardenIntrinsics', 'getStackString', 'HandledPromise', 'ModuleSource', 'StaticModuleRecord', 'globalThis', 'global']);

/**
 * Standard globals a package's global object holds as read-only, non-configurable bindings. Code a
 * package builds at run time (`new Function`, `eval`: ajv's validators, fast-json-stringify's
 * serializers) runs inside ses's `with` scopes, where every free name is a dynamic lookup (~200 ns);
 * ses turns a global that cannot change into a plain constant of that scope instead, which V8 resolves
 * like a local (a 2e6-call loop on `Object.keys` and `Math.max`: 851 ms to 19 ms). Module code already
 * reads each free name once at load (src/transform/wrap-module.ts), so it sees no difference. Left
 * writable: the names polyfills replace (Promise, Symbol, the collections, Reflect, Proxy, Intl, weak
 * refs) and the evaluators.
 */
const CONSTANT_GLOBALS = [
  'isFinite', 'isNaN', 'parseFloat', 'parseInt', 'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape',
  'Object', 'Array', 'Number', 'String', 'Boolean', 'BigInt', 'JSON', 'Math', 'Date', 'RegExp',
  'ArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
  'Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'AggregateError',
  'TextEncoder', 'TextDecoder',
];

const READ_ONLY: PropertyDescriptor = Object.freeze({ writable: false, configurable: false });

const NO_GRANTS: RuntimePackagePolicy = Object.freeze({ globals: {}, builtin: {}, packages: {}, native: false });

export interface Sandbox {
  scope(packageName: string): PackageScope;
  builtin(packageName: string, name: string): unknown;
  /** The exports of `target` as package `from` may see them: read-only unless granted "write". */
  packageExports(from: string, target: string, exports: unknown): unknown;
  /** Makes a CommonJS gate module throw at every require (esbuild/rollup cache the module object, not the throw). */
  denyOnRequire(module: AnyObject, packageName: string, kind: PermissionKind, permission: string): void;
  /** A stand-in for a statically imported binding: loading is fine, the first use throws. */
  deniedBinding(packageName: string, kind: PermissionKind, permission: string): unknown;
  loadNative(packageName: string, relativePath: string): unknown;
}

let current: Sandbox | undefined;

/** The sandbox the start module created; gate and scope modules call this. */
export function getSandbox(): Sandbox {
  if (!current) throw new Error('sandbox-bundle: the runtime was used before the bundle started it. This is a bug in sandbox-bundle; please report it.');
  return current;
}

export function startSandbox(host: HostPowers, config: SandboxConfig): Sandbox {
  if (current) return current;
  // Before lockdown, which freezes them in place; the private realm is a vm context, made on first use.
  installRegExpTwins(() => host.loadBuiltin('vm').runInNewContext('globalThis'));
  const powers = host.lockdown(config.lockdownOptions);
  if (config.lockdownOptions.overrideTaming !== 'min') installCrashReporter(host);
  current = powers.harden(createSandbox(host, powers, config));
  return current;
}

export function createSandbox(host: HostPowers, powers: LockedDownPowers, config: SandboxConfig): Sandbox {
  const builtinNames = new Set(host.builtinModules);
  const scopes = new Map<string, PackageScope>();
  const builtinFacades = new Map<string, unknown>();
  // hasOwn: package names like "constructor" must not find Object.prototype members.
  const grantsOf = (pkg: string) => (Object.prototype.hasOwnProperty.call(config.policy.resources, pkg) ? config.policy.resources[pkg]! : NO_GRANTS);
  const builtinTrees = new Map<string, Map<string, GrantNode>>();
  /** A package's builtin grants as trees, built once: every builtin it requires looks here (rebuilding them per request cost 1.7 MB of garbage on the bench app). */
  const builtinTreesOf = (pkg: string): Map<string, GrantNode> => {
    let trees = builtinTrees.get(pkg);
    if (!trees) builtinTrees.set(pkg, (trees = createGrantTrees(grantsOf(pkg).builtin)));
    return trees;
  };

  const monitor = createMonitor(host, { mode: config.mode ?? 'enforce', file: config.monitorFile });
  const observing = monitor.mode !== 'enforce';
  /** A denial: throws in enforce mode; in warn/record mode reports or records it and returns, and the caller allows. */
  const deny = (pkg: string, kind: PermissionKind, permission: string, hint?: string, write?: boolean, ungrantable?: boolean): void => monitor.violation(pkg, kind, permission, hint, write, ungrantable);
  /** For stand-ins that only exist in enforce builds. */
  const refuse = (pkg: string, kind: PermissionKind, permission: string): never => {
    throw new PermissionError(pkg, kind, permission);
  };
  const WHOLE: GrantNode = { whole: true, write: false, children: new Map() };
  // Node's loader hands out files and builtins by path: inside the sandbox it is the package's scoped require.
  const realCreateRequire: unknown = builtinNames.has('module') ? host.loadBuiltin('module').createRequire : undefined;

  const hostPrototypes = new WeakSet<object>();
  /** The same prototypes in scan order, for sealHostPrototypes. */
  const hostPrototypeList: object[] = [];
  let sealedHostPrototypes = 0;
  let scannedBuiltins = 0;
  /**
   * Collects the prototypes of the classes Node's loaded builtin modules export (EventEmitter,
   * streams, sockets): shared by every package, so sealHostPrototypes locks them. Looks only at
   * the builtins Node loaded since the last call (process.moduleLoadList only grows).
   */
  function scanLoadedBuiltins(): void {
    const loaded: string[] = host.realGlobal.process?.moduleLoadList ?? [];
    if (loaded.length === scannedBuiltins) return;
    const fresh = loaded.slice(scannedBuiltins);
    scannedBuiltins = loaded.length;
    for (const entry of fresh) {
      const name = /^NativeModule (?!internal\/)(.+)$/.exec(entry)?.[1];
      if (!name || !builtinNames.has(name)) continue;
      const exported = host.loadBuiltin(name);
      for (const key of Object.getOwnPropertyNames(exported)) {
        const value = Object.getOwnPropertyDescriptor(exported, key)?.value;
        if (typeof value === 'function' && value.prototype && typeof value.prototype === 'object') addHostPrototype(value.prototype);
      }
      if (typeof exported === 'function' && exported.prototype) addHostPrototype(exported.prototype);
    }
  }
  function addHostPrototype(proto: object): void {
    if (hostPrototypes.has(proto)) return;
    hostPrototypes.add(proto);
    hostPrototypeList.push(proto);
  }
  const isHostPrototype = (proto: object): boolean => {
    scanLoadedBuiltins();
    return hostPrototypes.has(proto);
  };
  const emitterPrototype: object | undefined = builtinNames.has('events') ? host.loadBuiltin('events').prototype : undefined;
  /**
   * The members of Node's prototypes that are deleted rather than sealed (SealOptions.droppable):
   * express and fastify store them on every request and response. Besides members holding
   * undefined, EventEmitter's `_eventsCount` at its default: EventEmitter.init gives every emitter
   * its own (0). Only an object made without the constructor reads it from the prototype, and Node
   * tests it with `> 0`, which undefined answers alike.
   */
  const droppable = (owner: object, key: PropertyKey, value: unknown): boolean => undefinedMember(owner, key, value) || (owner === emitterPrototype && key === '_eventsCount' && value === 0);

  /**
   * EventEmitter.init copies the prototype's kCapture flag (captureRejections) into each new emitter
   * by assignment, and Node made the prototype's flag non-configurable: no accessor can stand in
   * for it, and left writable, a package holding any emitter could turn captureRejections on for
   * every later one. So the flag is pinned read-only at the value the app left, and init (sealed
   * with the class's statics next) first gives each emitter a writable flag of its own, which the
   * assignment then fills as before.
   */
  function pinCaptureFlag(EventEmitter: { init: (this: object, ...args: unknown[]) => unknown }): void {
    const kCapture = Object.getOwnPropertySymbols(emitterPrototype!).find((symbol) => symbol.description === 'kCapture');
    const descriptor = kCapture && Object.getOwnPropertyDescriptor(emitterPrototype!, kCapture);
    if (!descriptor || !('value' in descriptor) || !descriptor.writable) return;
    Object.defineProperty(emitterPrototype!, kCapture!, { writable: false });
    const realInit = EventEmitter.init;
    const defineFlag = ownPropertyDefiner(kCapture!);
    const pinned = descriptor.value;
    EventEmitter.init = function init(this: object, ...args: unknown[]) {
      if (!Object.prototype.hasOwnProperty.call(this, kCapture!)) defineFlag(this, pinned);
      return Reflect.apply(realInit, this, args);
    };
  }

  /**
   * Node's domain module patches EventEmitter as it first loads (`usingDomains`, `init`,
   * `prototype.emit`), and repl loads domain. While a package's require loads either, only Node's
   * code runs, and the sealed members take its writes. (The app's own code loading domain after the
   * first package fails on them: it should load domain first.)
   */
  let nodePatchesEmitters = false;
  function loadBuiltin(name: string): AnyObject {
    if ((name !== 'domain' && name !== 'repl') || host.realGlobal.process?.moduleLoadList?.includes('NativeModule domain')) return host.loadBuiltin(name);
    nodePatchesEmitters = true;
    try {
      return host.loadBuiltin(name);
    } finally {
      nodePatchesEmitters = false;
    }
  }

  /** A write to a sealed member of Node's (`owner.key`): Node's own while it patches (above), refused from anyone else. */
  const nodeMemberWrite =
    (owner: string, yours: string): OwnerWrite =>
    (key) => {
      if (nodePatchesEmitters) return true;
      const domainHint = key === 'usingDomains' ? " Node's domain module sets it as it first loads: load domain in the app before any package." : '';
      throw new TypeError(`sandbox-bundle: ${owner}.${String(key)} is Node's, shared by every package: it cannot be replaced inside the sandbox. Set it on your own ${yours} instead.${domainHint}`);
    };

  /**
   * Locks the prototypes of Node's classes (EventEmitter, streams, sockets, http messages) the way
   * package classes are locked (sealPrototypeChain: override-friendly accessors), so that a package
   * holding any instance cannot replace `emit` or `write` for everyone, and the classes' statics
   * (sealStatics: `EventEmitter.init`, `Readable.prototype` itself), which `instance.constructor`
   * reaches. Done for what Node has loaded so far; called again whenever a package loads, gets a
   * builtin or another package's exports (cheap when Node has loaded nothing new). A class of a
   * builtin that only the app's own code loads after the last of those is sealed at the next one.
   */
  function sealHostPrototypes(): void {
    if (config.sealNodePrototypes === false) return;
    scanLoadedBuiltins();
    for (; sealedHostPrototypes < hostPrototypeList.length; sealedHostPrototypes++) {
      const proto = hostPrototypeList[sealedHostPrototypes]!;
      const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'a Node class';
      sealPrototypeChain({ prototype: proto } as AnyObject, nodeMemberWrite(`${name}.prototype`, 'instance or subclass'), () => false, { droppable });
      // The class's statics too: only for the prototypes of the builtins' own exports (each has its
      // turn here), never up into the language's (Error.stackTraceLimit must stay a data property).
      const ctor = (proto as { constructor?: unknown }).constructor;
      // A class, not any function with a prototype (fs.readFileSync has one): methods, or a superclass.
      if (typeof ctor !== 'function' || ctor.prototype !== proto || (Reflect.ownKeys(proto).length <= 1 && Object.getPrototypeOf(proto) === Object.prototype)) continue;
      if (proto === emitterPrototype) pinCaptureFlag(ctor as unknown as Parameters<typeof pinCaptureFlag>[0]);
      sealStatics(ctor as AnyObject, nodeMemberWrite(name, 'subclass'));
    }
  }

  /** The real process.env: its properties are read through a C++ interceptor (see exports-view's ShadowViewHandler). */
  const hostEnv: unknown = (host.realGlobal.process as AnyObject | undefined)?.env;

  function facadeContext(pkg: string, kind: 'builtin' | 'global', root: string): FacadeContext {
    const guardFd = kind === 'builtin' && root === 'fs' ? createFdGuard((fd) => deny(pkg, 'builtin', `fs (file descriptor ${fd}, opened by someone else)`, 'A package may only use file descriptors it opened itself.', false, true)) : undefined;
    return {
      // Warn and record modes allow everything, hidden doors included, so that their use shows up.
      hidden: observing ? new Set() : HIDDEN_DOORS,
      isHostPrototype,
      readsThroughInterceptors: (value) => value === hostEnv,
      // The policy format has "write" for globals only: a builtin module's members cannot be granted for writing.
      denyWrite: (path) =>
        kind === 'builtin'
          ? deny(pkg, kind, path, `Writes to builtin modules cannot be granted: a "builtin" entry is only true or false. If ${JSON.stringify(root)} must change for every package, change it from the app's own code (it is unrestricted) before this package loads.`, true)
          : deny(pkg, kind, path, `Grant ${JSON.stringify(path.split('.').slice(0, 2).join('.'))}: "write" only if this package must change it for everyone.`, true),
      wrapFunction: (path, fn) => {
        if (guardFd) return guardFd(path.slice(path.indexOf('.') + 1), fn);
        if (kind === 'builtin' && fn === realCreateRequire) return scopedCreateRequire(pkg);
        return fn;
      },
    };
  }

  /**
   * `require('module').createRequire(pathOrUrl)` inside the sandbox: the package's own scoped require,
   * whatever the path (a bundle loads no module files at run time), so it grants nothing the policy does not.
   */
  function scopedCreateRequire(pkg: string): (filename: unknown) => ScopedRequire {
    return function createRequire(filename: unknown): ScopedRequire {
      if (typeof filename !== 'string' && (typeof filename !== 'object' || filename === null)) {
        const error = new TypeError(`The argument 'filename' must be a file URL object, file URL string, or absolute path string. Received ${String(filename)}`) as TypeError & { code: string };
        error.code = 'ERR_INVALID_ARG_VALUE';
        throw error;
      }
      return scopeOf(pkg).require;
    };
  }

  function builtin(pkg: string, requested: string): unknown {
    const name = requested.startsWith('node:') ? requested.slice(5) : requested;
    const cacheKey = `${pkg}\0${name}`;
    if (builtinFacades.has(cacheKey)) return builtinFacades.get(cacheKey);
    let node = builtinTreesOf(pkg).get(name);
    let facade: unknown;
    if (!node && !observing && isNamedWithoutGrant(config.policy, pkg, name)) {
      // Named only with `false` entries: loading is fine; every member is denied, so none is there
      // (denied members are absent, as ungranted members of every facade are; nor is a call of the module).
      facade = {};
    } else {
      if (node) monitor.use(pkg, 'builtin', name);
      else {
        deny(pkg, 'builtin', name);
        node = WHOLE;
      }
      facade = monitor.observe(pkg, 'builtin', name, createFacade(loadBuiltin(name), node, name, facadeContext(pkg, 'builtin', name)));
    }
    builtinFacades.set(cacheKey, facade);
    sealHostPrototypes();
    return facade;
  }

  /**
   * What a package's global starts with: `values` now, `lazy` on first read (see defineLazyGlobal),
   * `writable` shared with the real global. Warn and record modes make every grant at once, because
   * observeHostGlobals wraps the global's properties after.
   */
  function createEndowments(pkg: string, globalGrants: Map<string, GrantNode>): { values: AnyObject; lazy: Map<string, GrantNode>; writable: Map<string, true> } {
    const values: AnyObject = {};
    const lazy = new Map<string, GrantNode>();
    const writable = new Map<string, true>();
    // Indexed loops and forEach: in the interpreter (this runs once per package) for...of allocates per element.
    for (let i = 0; i < DEFAULT_ENDOWMENTS.length; i++) {
      const name = DEFAULT_ENDOWMENTS[i]!;
      if (name in host.realGlobal) values[name] = host.realGlobal[name];
    }
    globalGrants.forEach((node, name) => {
      if (node.whole && node.write && node.children.size === 0) writable.set(name, true);
      else if (host.realGlobal[name] === undefined) return;
      else if (observing) values[name] = createEndowment(pkg, name, node);
      else lazy.set(name, node);
    });
    return { values, lazy, writable };
  }

  /**
   * A granted global made when the package first reads it: facades and timers were most of the
   * sandbox's startup cost (measured 132 of ~340 ms on the bench app), and a package reads few of
   * the globals it is granted. Then it becomes the plain writable property an endowment is.
   */
  function defineLazyGlobal(global: AnyObject, pkg: string, name: string, node: GrantNode): void {
    const settle = (value: unknown) => Object.defineProperty(global, name, { value, writable: true, enumerable: false, configurable: true });
    Object.defineProperty(global, name, {
      get() {
        const value = createEndowment(pkg, name, node);
        settle(value);
        return value;
      },
      set: settle,
      enumerable: false,
      configurable: true,
    });
  }

  const timersOf = new Map<string, ReturnType<typeof createPackageTimers>>();

  /** One granted host global as package `pkg` receives it. */
  function createEndowment(pkg: string, name: string, node: GrantNode): unknown {
    if (TIMER_NAMES.has(name)) {
      let timers = timersOf.get(pkg);
      if (!timers) timersOf.set(pkg, (timers = createPackageTimers(host.realGlobal)));
      return timers[name];
    }
    const real = host.realGlobal[name];
    if (typeof real === 'function' && node.children.size === 0) {
      // Granted classes (Buffer, URL) are shared: usable, not changeable for others.
      return shareHostClass(real, (key) => deny(pkg, 'global', `${name}.${String(key)}`, `Grant ${JSON.stringify(name)}: "write" only if this package must change it for everyone.`, true), true);
    }
    return typeof real === 'object' && real !== null ? createFacade(real, node, name, facadeContext(pkg, 'global', name)) : real;
  }

  /**
   * Warn and record modes: every host global the compartment lacks becomes a getter that reports
   * (or records) the first read and hands out the whole global. Free names are bound when a
   * module starts, so the report points at the module that reads it.
   */
  function observeHostGlobals(pkg: string, global: AnyObject, grants: Map<string, GrantNode>): void {
    for (const name of Object.getOwnPropertyNames(host.realGlobal)) {
      if (SES_GLOBALS.has(name) || (Object.prototype.hasOwnProperty.call(global, name) && !grants.has(name))) continue;
      const granted = grants.get(name);
      let value: unknown;
      let made = false;
      Object.defineProperty(global, name, {
        get: () => {
          if (!made) {
            if (granted) monitor.use(pkg, 'global', name);
            else deny(pkg, 'global', name);
            value = monitor.observe(pkg, 'global', name, granted?.write ? host.realGlobal[name] : createEndowment(pkg, name, granted ?? WHOLE));
            made = true;
          }
          return value;
        },
        set: (next) => {
          value = next;
          made = true;
        },
        configurable: true,
      });
    }
  }

  // Module paths: the same for every package, so every scope shares these three.
  const scopeFilename = (relativePath: string) => joinPath(host.bundleDir, relativePath);
  const scopeDirname = (relativePath: string) => scopeFilename(relativePath).replace(/\/[^/]*$/, '') || '/';
  const scopeMeta = (relativePath: string) => {
    const file = scopeFilename(relativePath);
    return { url: toFileUrl(file), filename: file, dirname: scopeDirname(relativePath) };
  };
  // Shared by every package's scope: frozen, so that no package can leave anything on them for another.
  for (const shared of [scopeFilename, scopeDirname, scopeMeta]) Object.freeze(shared);

  function createScope(pkg: string): PackageScope {
    const globalTrees = createGrantTrees(grantsOf(pkg).globals);
    const { values, lazy, writable } = createEndowments(pkg, globalTrees);
    const compartment = new powers.Compartment({ __options__: true, globals: values, name: pkg });
    const global = compartment.globalThis;
    // First, while every package's global still has the same shape: V8 then shares the maps these
    // redefinitions make between all the globals (done after the grants, it cost 7 MiB of peak RSS).
    for (let i = 0; i < CONSTANT_GLOBALS.length; i++) {
      const name = CONSTANT_GLOBALS[i]!;
      if (globalTrees.has(name)) continue; // granted: the grant decides what the package sees
      // Each is one of ses's data properties or an endowment here, both configurable: no descriptor
      // is read (13,500 of them on the bench app were startup garbage).
      if (Object.prototype.hasOwnProperty.call(global, name)) Object.defineProperty(global, name, READ_ONLY);
    }
    lazy.forEach((node, name) => defineLazyGlobal(global, pkg, name, node));
    if (observing) observeHostGlobals(pkg, global, globalTrees);
    // Node's alias for the global object: the package's own.
    Object.defineProperty(global, 'global', { value: global, writable: true, configurable: true });
    if (!observing) {
      writable.forEach((_, name) => {
        // A "write" grant shares the real global: reads and writes go through to it.
        Object.defineProperty(global, name, {
          get: () => host.realGlobal[name],
          set: (value) => { host.realGlobal[name] = value; },
          configurable: false,
        });
      });
    }

    const scopedRequire = ((specifier: unknown) => {
      if (typeof specifier !== 'string') throw new TypeError(`The "id" argument must be of type string. Received ${typeof specifier}`);
      const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
      if (builtinNames.has(name.split('/')[0]!) && (builtinNames.has(name) || specifier.startsWith('node:'))) return builtin(pkg, name);
      if (specifier.startsWith('sandbox-bundle:')) return refuse(pkg, 'package', specifier);
      const error = new Error(
        `sandbox-bundle: package ${JSON.stringify(pkg)} asked for module ${JSON.stringify(specifier)} by a computed name at run time; only builtins load that way inside a sandboxed bundle. Require it with a string literal so the bundler includes it.`,
      ) as Error & { code: string };
      error.code = 'MODULE_NOT_FOUND';
      throw error;
    }) as ScopedRequire;
    scopedRequire.resolve = (specifier: unknown) => {
      const name = String(specifier);
      if (builtinNames.has(name.replace(/^node:/, ''))) return name;
      const error = new Error(`sandbox-bundle: cannot resolve ${JSON.stringify(name)} at run time inside package ${JSON.stringify(pkg)}.`) as Error & { code: string };
      error.code = 'MODULE_NOT_FOUND';
      throw error;
    };

    // What harden(scopedRequire) did, without its bookkeeping: both are arrow functions (no `prototype`)
    // and Function.prototype is frozen by lockdown, so nothing else is reachable from them.
    Object.freeze(scopedRequire.resolve);
    Object.freeze(scopedRequire);
    const members: Omit<PackageScope, 'globalThis'> = {
      require: scopedRequire,
      import: (specifier) =>
        Promise.resolve().then(() => {
          const value = scopedRequire(specifier) as AnyObject;
          return Object.freeze({ ...value, default: value });
        }),
      filename: scopeFilename,
      dirname: scopeDirname,
      meta: scopeMeta,
    };
    // `globalThis` is the scope's only own property, the rest is inherited: esbuild's ES module interop
    // (__toESM) copies every own property into a getter for each ES module importing the scope, and
    // wrapped modules read members through `.default`, which is this object.
    const scope = Object.create(members) as PackageScope;
    scope.globalThis = global;
    return scope;
  }

  function scopeOf(pkg: string): PackageScope {
    let scope = scopes.get(pkg);
    if (!scope) {
      // A package is loading: whatever Node loaded since (the app's own requires included) is sealed before it runs.
      sealHostPrototypes();
      scope = createScope(pkg);
      scopes.set(pkg, scope);
    }
    return scope;
  }

  sealHostPrototypes();
  const membranes = new Map<string, <T>(value: T) => T>();
  const writableTargets = new Set(Object.values(config.policy.resources).flatMap((grants) => Object.keys(grants.packages).filter((name) => grants.packages[name] === 'write')));

  return {
    scope: scopeOf,
    builtin,
    packageExports(from, target, exports) {
      sealHostPrototypes();
      const packages = grantsOf(from).packages;
      const grant = Object.prototype.hasOwnProperty.call(packages, target) ? packages[target] : undefined;
      if (grant) monitor.use(from, 'package', target);
      else deny(from, 'package', target); // only warn/record builds generate ungranted package gates
      if (!needsView(exports) || grant === 'write') return exports;
      // One membrane per (importing package, target package): identity is stable inside a package.
      const key = `${from}\0${target}`;
      let membrane = membranes.get(key);
      // A package some other package may write keeps its prototypes open: sealing them would take the write away too.
      const seal = writableTargets.has(target) ? () => true : isHostPrototype;
      if (!membrane) membranes.set(key, (membrane = createReadOnlyMembrane(() => deny(from, 'exports', target), seal)));
      return membrane(exports);
    },
    denyOnRequire(module, pkg, kind, permission) {
      Object.defineProperty(module, 'exports', {
        get: () => refuse(pkg, kind, permission),
        set: () => {},
        configurable: true,
      });
    },
    deniedBinding(pkg, kind, permission) {
      const fail = (): never => refuse(pkg, kind, permission);
      return new Proxy(function denied() {}, {
        get: fail, set: fail, has: fail, apply: fail, construct: fail, ownKeys: fail,
        getPrototypeOf: fail, defineProperty: fail, deleteProperty: fail, getOwnPropertyDescriptor: fail,
      });
    },
    loadNative(pkg, relativePath) {
      if (!grantsOf(pkg).native) deny(pkg, 'native', relativePath);
      return host.loadBuiltin(joinPath(host.bundleDir, relativePath));
    },
  };
}
