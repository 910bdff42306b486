// Appended to ses's lockdown.js in the ses build we embed (scripts/build.js), and called just before
// lockdown hardens the intrinsics: freezes the prototypes that stores by index look through, the same way
// per the spec, but so that V8 does not give them its "frozen elements" kind.
//
// Why: before any store by index, `o[i] = v`, V8 checks whether some prototype of `o` may hold read-only elements.
// Object.freeze gives an object a frozen elements kind even when it has no elements, and a frozen kind
// anywhere on the chain sends every store by index on objects below it to the runtime. After ses's own
// freeze that was every store into a typed array (38 ns instead of 1), an array (5 ns more, 50 ns when it
// grows) or a plain object by index, for the app and Node alike: Node's async hooks and nextTick queue
// write typed arrays on every tick. Under lockdown alone fastify spent 14% of its CPU inside V8's
// runtime store, and this patch took 25-30% off its CPU per request (bench/README.md, "Steady state
// since 04:40").
//
// How: each own property is made non-writable and non-configurable one by one, then the object is made
// non-extensible. That is frozen in every observable way (Object.isFrozen is true, ses's harden finds
// nothing left to do), but V8 keeps a non-frozen elements kind (an empty dictionary, or "non-extensible").
// Names that guard one of V8's fast paths (a "protector": `constructor`, Symbol.iterator, ...) are left
// for a final Object.freeze where the object's properties are already in dictionary mode (there the
// freeze keeps the dictionary elements), because redefining them one by one would switch the fast path
// off for the whole process. %TypedArray%.prototype and the typed array prototypes stay in fast mode
// throughout, so their final freeze would bring the frozen kind back: they get every property one by
// one, `constructor` included, which switches off V8's typed array species protector (typed array
// `subarray`/`slice` look up `constructor[Symbol.species]` again: +16 to +34 ns a call, measured),
// far less than what the stores lose.
// A read through an object made from each prototype lets V8 turn its properties back into fast mode.
// test/runtime/ses-fast-paths.test.ts checks the elements kinds, the protectors and the frozen state.

const PROTECTOR_NAMES = new Set([
  'constructor',
  'next',
  'then',
  'resolve',
  Symbol.iterator,
  Symbol.species,
  Symbol.isConcatSpreadable,
  Symbol.toPrimitive,
  Symbol.replace,
  Symbol.split,
  Symbol.match,
  Symbol.matchAll,
  Symbol.search,
]);

/** Typed array constructors (Float16Array where the engine has one): their prototypes and %TypedArray%.prototype. */
const TYPED_ARRAYS = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];

/** Makes each own property of `object` read-only and non-configurable, except `skip`'s names. */
const lockOwnProperties = (object, skip) => {
  for (const key of Reflect.ownKeys(object)) {
    if (skip !== undefined && skip.has(key)) continue;
    const desc = Reflect.getOwnPropertyDescriptor(object, key);
    const isData = Object.hasOwn(desc, 'value');
    if (!desc.configurable && (!isData || !desc.writable)) continue;
    Reflect.defineProperty(object, key, isData ? { writable: false, configurable: false } : { configurable: false });
  }
};

// eslint-disable-next-line no-unused-vars -- called from the line scripts/build.js inserts before harden
const freezeKeepingElementKinds = (intrinsics) => {
  const finish = (object) => {
    Object.preventExtensions(object);
    Object.freeze(object);
    // A property read that misses, through an inheriting object, makes V8 optimize the prototype again.
    void Object.create(object).__sbNoSuchProperty;
  };
  for (const object of [intrinsics.Object.prototype, intrinsics.Array.prototype]) {
    lockOwnProperties(object, PROTECTOR_NAMES);
    finish(object);
  }
  // From the global object: ses's intrinsics record leaves Float32Array and Float64Array out (they move
  // to the start compartment's own globals), and the prototypes are the same objects either way.
  const typedPrototypes = TYPED_ARRAYS.filter((name) => typeof globalThis[name] === 'function').map((name) => globalThis[name].prototype);
  for (const object of [Object.getPrototypeOf(typedPrototypes[0]), ...typedPrototypes]) {
    lockOwnProperties(object, undefined);
    finish(object);
  }
};
