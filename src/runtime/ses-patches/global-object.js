// Replaces ses's global-object.js in the ses build we embed (scripts/build.js): the same globals,
// with less garbage per Compartment (sandbox-bundle makes one per package: ~300 on a large app).
// setGlobalObjectConstantProperties and setGlobalObjectMutableProperties took Object.entries of constant
// permit records, a fresh descriptor per property and an iterator result per step, ~10 KiB per Compartment (bench/README.md,
// "Startup and peak RSS"). Here the entries are computed once per record and one descriptor object
// is reused (defineProperty on an ordinary object reads it synchronously and runs no other code);
// indexed loops, because in V8's interpreter for...of and array destructuring allocate per step.
// Every other line is ses 2.3.0's.
import {
  TypeError,
  WeakMap,
  assign,
  create,
  defineProperty,
  entries,
  freeze,
  hasOwn,
  unscopablesSymbol,
  weakmapGet,
  weakmapSet,
} from './commons.js';
import { makeEvalFunction } from './make-eval-function.js';
import { makeFunctionConstructor } from './make-function-constructor.js';
import { constantProperties, universalPropertyNames } from './permits.js';

/**
 * The host's ordinary global object is not provided by a `with` block, so
 * assigning to Symbol.unscopables has no effect.
 * Since this shim uses `with` blocks to create a confined lexical scope for
 * guest programs, we cannot emulate the proper behavior.
 * With this shim, assigning Symbol.unscopables causes the given lexical
 * names to fall through to the terminal scope proxy.
 * But, we can install this setter to prevent a program from proceding on
 * this false assumption.
 *
 * @param {object} globalObject
 */
export const setGlobalObjectSymbolUnscopables = globalObject => {
  defineProperty(
    globalObject,
    unscopablesSymbol,
    freeze(
      assign(create(null), {
        set: freeze(() => {
          throw TypeError(
            `Cannot set Symbol.unscopables of a Compartment's globalThis`,
          );
        }),
        enumerable: false,
        configurable: false,
      }),
    ),
  );
};

/** Object.entries of a permit record (constantProperties, universalPropertyNames, initial/sharedGlobalPropertyNames: nothing changes them), once. */
const permitEntriesMemo = new WeakMap();
const permitEntries = record => {
  let memo = weakmapGet(permitEntriesMemo, record);
  if (memo === undefined) {
    memo = freeze(entries(record));
    weakmapSet(permitEntriesMemo, record, memo);
  }
  return memo;
};

/**
 * setGlobalObjectConstantProperties()
 * Initializes a new global object using a process similar to ECMA specifications
 * (SetDefaultGlobalBindings). This process is split between this function and
 * `setGlobalObjectMutableProperties`.
 *
 * @param {object} globalObject
 */
export const setGlobalObjectConstantProperties = globalObject => {
  const constants = permitEntries(constantProperties);
  const descriptor = {
    value: undefined,
    writable: false,
    enumerable: false,
    configurable: false,
  };
  for (let i = 0; i < constants.length; i += 1) {
    descriptor.value = constants[i][1];
    defineProperty(globalObject, constants[i][0], descriptor);
  }
};

/**
 * setGlobalObjectMutableProperties()
 * Create new global object using a process similar to ECMA specifications
 * (portions of SetRealmGlobalObject and SetDefaultGlobalBindings).
 * `newGlobalPropertyNames` should be either `initialGlobalPropertyNames` or
 * `sharedGlobalPropertyNames`.
 *
 * @param {object} globalObject
 * @param {object} args
 * @param {object} args.intrinsics
 * @param {object} args.newGlobalPropertyNames
 * @param {Function} args.makeCompartmentConstructor
 * @param {(object) => void} args.markVirtualizedNativeFunction
 * @param {Compartment} [args.parentCompartment]
 */
export const setGlobalObjectMutableProperties = (
  globalObject,
  {
    intrinsics,
    newGlobalPropertyNames,
    makeCompartmentConstructor,
    markVirtualizedNativeFunction,
    parentCompartment,
  },
) => {
  const descriptor = {
    value: undefined,
    writable: true,
    enumerable: false,
    configurable: true,
  };
  const defineIntrinsics = namesEntries => {
    for (let i = 0; i < namesEntries.length; i += 1) {
      const intrinsicName = namesEntries[i][1];
      if (hasOwn(intrinsics, intrinsicName)) {
        descriptor.value = intrinsics[intrinsicName];
        defineProperty(globalObject, namesEntries[i][0], descriptor);
      }
    }
  };
  defineIntrinsics(permitEntries(universalPropertyNames));
  defineIntrinsics(permitEntries(newGlobalPropertyNames));
  descriptor.value = undefined;

  const perCompartmentGlobals = {
    globalThis: globalObject,
  };

  perCompartmentGlobals.Compartment = freeze(
    makeCompartmentConstructor(
      makeCompartmentConstructor,
      intrinsics,
      markVirtualizedNativeFunction,
      {
        parentCompartment,
        enforceNew: true,
      },
    ),
  );

  // TODO These should still be tamed according to the permits before
  // being made available.
  for (const [name, value] of entries(perCompartmentGlobals)) {
    defineProperty(globalObject, name, {
      value,
      writable: true,
      enumerable: false,
      configurable: true,
    });
    if (typeof value === 'function') {
      markVirtualizedNativeFunction(value);
    }
  }
};

/**
 * setGlobalObjectEvaluators()
 * Set the eval and the Function evaluator on the global object with given evalTaming policy.
 *
 * @param {object} globalObject
 * @param {Function} evaluator
 * @param {(object) => void} markVirtualizedNativeFunction
 */
export const setGlobalObjectEvaluators = (
  globalObject,
  evaluator,
  markVirtualizedNativeFunction,
) => {
  {
    const f = freeze(makeEvalFunction(evaluator));
    markVirtualizedNativeFunction(f);
    defineProperty(globalObject, 'eval', {
      value: f,
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
  {
    const f = freeze(makeFunctionConstructor(evaluator));
    markVirtualizedNativeFunction(f);
    defineProperty(globalObject, 'Function', {
      value: f,
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
};
