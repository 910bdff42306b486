// Globals a package has without any grant: what every package's own compartment global provides.

/**
 * The names on a ses Compartment's global after lockdown (ses `permits.js`: constant, universal,
 * shared and unique global property names), plus the runtime's default endowments
 * (`DEFAULT_ENDOWMENTS` in src/runtime/index.ts: Date, Math, Intl, Float32Array, Float64Array,
 * WeakRef, FinalizationRegistry) and `global`, which the runtime points at the package's own global.
 *
 * Policy generation grants none of these: they carry no authority over the host (the intrinsics are
 * frozen and shared; `eval`, `Function` and `globalThis` are the package's own). A name listed here
 * that the compartment does not really provide would silently become `undefined` at run time, so
 * test/analysis/language-globals.test.ts checks every entry against a real Compartment.
 * Host objects (console, process, Buffer, timers, URL, fetch, WebAssembly, SharedArrayBuffer,
 * Atomics, ...) are deliberately absent: those need a grant.
 */
export const LANGUAGE_GLOBALS: ReadonlySet<string> = new Set([
  // Value properties
  'globalThis',
  'global',
  'undefined',
  'NaN',
  'Infinity',
  // Function properties
  'eval',
  'isFinite',
  'isNaN',
  'parseFloat',
  'parseInt',
  'decodeURI',
  'decodeURIComponent',
  'encodeURI',
  'encodeURIComponent',
  'escape',
  'unescape',
  // Constructors and namespaces
  'Object',
  'Function',
  'Array',
  'Number',
  'Boolean',
  'String',
  'Symbol',
  'BigInt',
  'Date',
  'RegExp',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'FinalizationRegistry',
  'Promise',
  'Proxy',
  'Reflect',
  'JSON',
  'Math',
  'Intl',
  'Iterator',
  'AsyncIterator',
  'TextEncoder',
  'TextDecoder',
  // Typed arrays and buffers (SharedArrayBuffer is not provided: it needs a grant)
  'ArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float16Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  // Errors
  'Error',
  'AggregateError',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
  // ses additions on every compartment global
  'harden',
  'lockdown',
  'Compartment',
]);

/** Names that are the global object itself: `globalThis.x` and `global.x` read the global `x`. */
export const GLOBAL_OBJECT_NAMES: ReadonlySet<string> = new Set(['globalThis', 'global']);
