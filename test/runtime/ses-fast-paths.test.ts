// The ses every bundle embeds (dist/ses.cjs, src/runtime/ses-patches): lockdown keeps V8's fast paths and still hides what ses hides.

import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DEFAULT_LOCKDOWN } from '../../src/options.js';
import { TOOL_ROOT } from '../../src/context.js';
import { runNodeScript, runNodeScriptForJson } from '../child-node.js';

const PATCHED_SES = path.join(TOOL_ROOT, 'dist', 'ses.cjs');
const STOCK_SES = createRequire(import.meta.url).resolve('ses');

/**
 * V8's protectors: process-wide flags that guard a builtin fast path, switched off for good the first time
 * the property they watch is redefined. Read with V8 natives, so only in a child run with --allow-natives-syntax.
 */
const PROTECTORS = ['ArraySpeciesProtector', 'ArrayIteratorProtector', 'MapIteratorProtector', 'SetIteratorProtector', 'StringIteratorProtector', 'PromiseSpeciesProtector', 'RegExpSpeciesProtector'];

/** What one lockdown leaves behind, observed in a fresh node process (a lockdown cannot be undone). */
interface Observed {
  protectors: Record<string, boolean | string>;
  regExp: { statics: string[]; compile: boolean; prototypeFrozen: boolean; constructorIsRegExp: boolean; speciesIsRegExp: boolean; newIsInstance: boolean; splitWorks: boolean };
  /** Whether assigning the name on an object that inherits it works (an enablement) or throws (the override mistake). */
  overridable: Record<string, boolean>;
}

function observe(ses: string | undefined, options: object = DEFAULT_LOCKDOWN): Observed {
  const script = `
    'use strict';
    if (${JSON.stringify(ses ?? null)}) { require(${JSON.stringify(ses ?? '')}); lockdown(${JSON.stringify(options)}); }
    const protectors = {};
    for (const name of ${JSON.stringify(PROTECTORS)}) {
      try { protectors[name] = eval('%' + name + '()'); } catch (error) { protectors[name] = 'unavailable: ' + error.message; }
    }
    /(s)ecret-([0-9]+)/.exec('the secret-42 token');
    const statics = ['$1', '$2', 'input', '$_', 'lastMatch', 'lastParen', 'leftContext', 'rightContext'].filter((key) => RegExp[key] !== undefined);
    const regExp = {
      statics,
      compile: typeof RegExp.prototype.compile === 'function',
      prototypeFrozen: Object.isFrozen(RegExp.prototype),
      constructorIsRegExp: RegExp.prototype.constructor === RegExp,
      speciesIsRegExp: RegExp[Symbol.species] === RegExp,
      newIsInstance: new RegExp('a', 'g') instanceof RegExp && Object.getPrototypeOf(new RegExp('a')) === RegExp.prototype,
      splitWorks: 'a1b22c'.split(/[0-9]+/).join() === 'a,b,c',
    };
    const canOverride = (proto, key) => { try { Object.create(proto)[key] = 1; return true; } catch { return false; } };
    const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
    const overridable = {
      'Array.prototype.push': canOverride(Array.prototype, 'push'),
      'Array.prototype[Symbol.iterator]': canOverride(Array.prototype, Symbol.iterator),
      '%IteratorPrototype%[Symbol.iterator]': canOverride(iteratorPrototype, Symbol.iterator),
      'Promise.prototype.constructor': canOverride(Promise.prototype, 'constructor'),
      'Error.prototype.message': canOverride(Error.prototype, 'message'),
      'Function.prototype.bind': canOverride(Function.prototype, 'bind'),
    };
    process.stdout.write(JSON.stringify({ protectors, regExp, overridable }));
  `;
  return runNodeScriptForJson<Observed>(script, ['--allow-natives-syntax']);
}

const allIntact = Object.fromEntries(PROTECTORS.map((name) => [name, true]));

describe('the embedded ses (dist/ses.cjs)', () => {
  const plain = observe(undefined);
  const patched = observe(PATCHED_SES);

  it('reads every protector in plain node (the natives exist, so the checks below measure something)', () => {
    expect(plain.protectors).toEqual(allIntact);
  });

  it('leaves every protector intact after lockdown with the default options', () => {
    expect(patched.protectors).toEqual(allIntact);
  });

  it('where stock ses 2.3.0 switches the iteration, promise and regex protectors off (what the patches are for)', () => {
    const stock = observe(STOCK_SES, { ...DEFAULT_LOCKDOWN, legacyRegeneratorRuntimeTaming: 'unsafe-ignore' });
    expect(stock.protectors).toMatchObject({ ArrayIteratorProtector: false, MapIteratorProtector: false, PromiseSpeciesProtector: false, RegExpSpeciesProtector: false });
  });

  it("still hides the realm's last match and in-place recompilation, and freezes RegExp.prototype", () => {
    expect(plain.regExp.statics.length).toBeGreaterThan(0);
    expect(patched.regExp).toEqual({
      statics: [],
      compile: false,
      prototypeFrozen: true,
      constructorIsRegExp: true,
      speciesIsRegExp: true,
      newIsInstance: true,
      splitWorks: true,
    });
  });

  it("keeps ses's other 'moderate' enablements and drops only the three protector-watched ones", () => {
    expect(patched.overridable).toEqual({
      'Array.prototype.push': true,
      'Array.prototype[Symbol.iterator]': false,
      '%IteratorPrototype%[Symbol.iterator]': false,
      'Promise.prototype.constructor': false,
      'Error.prototype.message': true,
      'Function.prototype.bind': true,
    });
  });

  it("leaves 'severe' as ses's own: every one of them overridable", () => {
    const severe = observe(PATCHED_SES, { ...DEFAULT_LOCKDOWN, overrideTaming: 'severe' });
    expect(Object.values(severe.overridable).every(Boolean)).toBe(true);
  });
});

/** The own properties of a new Compartment's global and of the real global after lockdown: names, attributes, kinds. */
function globalsAfterLockdown(ses: string, options: object): { compartment: string[]; real: string[]; wiring: Record<string, boolean> } {
  const script = `
    'use strict';
    require(${JSON.stringify(ses)});
    lockdown(${JSON.stringify(options)});
    const describe = (object) => Reflect.ownKeys(object).map((key) => {
      const d = Object.getOwnPropertyDescriptor(object, key);
      const kind = 'value' in d ? typeof d.value : 'accessor';
      return [String(key), kind, d.writable, d.enumerable, d.configurable].join(' ');
    }).sort();
    const first = new Compartment().globalThis;
    const second = new Compartment().globalThis;
    const wiring = {
      sharedIntrinsics: first.Array === Array && first.JSON === JSON && second.Array === Array,
      ownGlobalThis: first.globalThis === first && second.globalThis === second,
      ownEvaluators: first.eval !== second.eval && first.Function !== second.Function && first.Function !== Function,
      ownCompartment: first.Compartment !== second.Compartment && first.Compartment !== Compartment,
      constants: first.undefined === undefined && Number.isNaN(first.NaN) && first.Infinity === Infinity,
    };
    process.stdout.write(JSON.stringify({ compartment: describe(first), real: describe(globalThis), wiring }));
  `;
  return runNodeScriptForJson(script);
}

describe("the embedded ses's global-object.js (built once, not per Compartment)", () => {
  it("gives a Compartment's global, and the real one, the same properties as stock ses 2.3.0", () => {
    const options = { ...DEFAULT_LOCKDOWN, legacyRegeneratorRuntimeTaming: 'unsafe-ignore' };
    const patched = globalsAfterLockdown(PATCHED_SES, options);
    const stock = globalsAfterLockdown(STOCK_SES, options);
    expect(patched.compartment.length).toBeGreaterThan(50);
    expect(patched.compartment).toEqual(stock.compartment);
    expect(patched.real).toEqual(stock.real);
    expect(patched.wiring).toEqual({ sharedIntrinsics: true, ownGlobalThis: true, ownEvaluators: true, ownCompartment: true, constants: true });
    expect(stock.wiring).toEqual(patched.wiring);
  });
});

/** The prototypes stores by index (`o[i] = v`) look through, as `${name}` -> expression. */
const STORE_PROTOTYPES: Record<string, string> = {
  'Object.prototype': 'Object.prototype',
  'Array.prototype': 'Array.prototype',
  '%TypedArray%.prototype': 'Object.getPrototypeOf(Uint8Array.prototype)',
  'Uint8Array.prototype': 'Uint8Array.prototype',
  'Uint32Array.prototype': 'Uint32Array.prototype',
  'Float64Array.prototype': 'Float64Array.prototype',
};

/**
 * Each of those prototypes after lockdown: V8's elements kind (from %DebugPrint, the only thing the child
 * prints to stdout), whether its properties are in fast mode, whether it is frozen, and whether V8's
 * typed array species protector is still on (JSON on stderr).
 */
function storePrototypes(ses: string | undefined): { kinds: Record<string, string>; fast: Record<string, boolean>; frozen: Record<string, boolean>; typedArraySpecies: boolean } {
  const entries = Object.entries(STORE_PROTOTYPES);
  const script = `
    'use strict';
    if (${JSON.stringify(ses ?? null)}) { require(${JSON.stringify(ses ?? '')}); lockdown(${JSON.stringify(DEFAULT_LOCKDOWN)}); }
    const objects = [${entries.map(([, expression]) => expression).join(', ')}];
    for (const object of objects) %DebugPrint(object);
    process.stderr.write(JSON.stringify({
      fast: objects.map((object) => %HasFastProperties(object)),
      frozen: objects.map((object) => Object.isFrozen(object)),
      typedArraySpecies: %TypedArraySpeciesProtector(),
    }));
  `;
  const run = runNodeScript(script, ['--allow-natives-syntax']);
  const blocks = run.stdout.split(/^DebugPrint: /m).slice(1);
  const kinds = blocks.map((block) => /^ - elements: .*\[(\w+)\]$/m.exec(block)?.[1] ?? `unreadable: ${block.slice(0, 200)}`);
  const rest = JSON.parse(run.stderr) as { fast: boolean[]; frozen: boolean[]; typedArraySpecies: boolean };
  const byName = <T>(values: T[]) => Object.fromEntries(entries.map(([name], i) => [name, values[i]!]));
  return { kinds: byName(kinds), fast: byName(rest.fast), frozen: byName(rest.frozen), typedArraySpecies: rest.typedArraySpecies };
}

describe("the embedded ses's lockdown.js (prototypes frozen without V8's frozen elements kind)", () => {
  const patched = storePrototypes(PATCHED_SES);

  it('under stock ses every one of them has the frozen elements kind that sends stores by index to the runtime', () => {
    const stock = storePrototypes(STOCK_SES);
    expect(Object.values(stock.kinds).every((kind) => kind.endsWith('FROZEN_ELEMENTS'))).toBe(true);
  });

  it('leaves each of them frozen, in fast mode, with an elements kind that is not frozen', () => {
    expect(Object.values(patched.frozen).every(Boolean)).toBe(true);
    expect(Object.values(patched.fast).every(Boolean)).toBe(true);
    for (const [name, kind] of Object.entries(patched.kinds)) expect(kind, name).toMatch(/^(DICTIONARY_ELEMENTS|HOLEY_NONEXTENSIBLE_ELEMENTS)$/);
  });

  it('switches off only the typed array species protector (typed array constructors are locked one by one)', () => {
    expect(storePrototypes(undefined).typedArraySpecies).toBe(true);
    expect(patched.typedArraySpecies).toBe(false);
    // The other protectors: 'leaves every protector intact after lockdown with the default options' above.
  });

  it('refuses the same changes a frozen prototype refuses', () => {
    const script = `
      'use strict';
      require(${JSON.stringify(PATCHED_SES)});
      lockdown(${JSON.stringify(DEFAULT_LOCKDOWN)});
      const attempts = {
        'Object.prototype.polluted = 1': () => { Object.prototype.polluted = 1; },
        'Object.prototype[0] = 1': () => { Object.prototype[0] = 1; },
        'Array.prototype.map = f': () => { Array.prototype.map = () => []; },
        'Array.prototype[Symbol.iterator] = f': () => { Array.prototype[Symbol.iterator] = () => {}; },
        'defineProperty(Array.prototype, 0)': () => { Object.defineProperty(Array.prototype, 0, { value: 1 }); },
        'Uint8Array.prototype.constructor = f': () => { Uint8Array.prototype.constructor = function () {}; },
        'delete Float64Array.prototype.BYTES_PER_ELEMENT': () => { delete Float64Array.prototype.BYTES_PER_ELEMENT; },
        'setPrototypeOf(%TypedArray%.prototype, null)': () => { Object.setPrototypeOf(Object.getPrototypeOf(Uint8Array.prototype), null); },
      };
      const results = {};
      for (const [name, attempt] of Object.entries(attempts)) {
        try { attempt(); results[name] = 'allowed'; } catch (error) { results[name] = error.constructor.name; }
      }
      const a = []; a[0] = 1; a[a.length] = 2; const t = new Float64Array(2); t[1] = 5; const o = {}; o['k' + 1] = 3;
      results.ordinaryStores = a.join() === '1,2' && t[1] === 5 && o.k1 === 3 && [][0] === undefined && ({}).polluted === undefined;
      process.stdout.write(JSON.stringify(results));
    `;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as Record<string, unknown>;
    const { ordinaryStores, ...attempts } = results;
    expect(ordinaryStores).toBe(true);
    expect(Object.entries(attempts).filter(([, outcome]) => outcome !== 'TypeError')).toEqual([]);
  });
});
