// Table-driven cases for inspectModule: scoping rules, occurrence flags, requires/imports, prologue, format and syntax errors.

import { describe, expect, it } from 'vitest';
import { inspectModule, type ModuleFacts } from '../../src/analysis/inspect-module.js';
import { isSandboxError, type SandboxError } from '../../src/errors.js';

const inspect = (source: string): ModuleFacts => inspectModule(source, 'node_modules/pkg/index.js');
const freeOf = (source: string): string[] => [...inspect(source).freeNames.keys()];

/** [title, source, free names in first-occurrence order] */
type FreeCase = [string, string, string[]];

const hoisting: FreeCase[] = [
  ['var used before its declaration', 'x; var x;', []],
  ['var used from an earlier function', 'function f() { y } var y;', []],
  ['function declaration called before it', 'f(); function f() {}', []],
  ['var in a nested block hoists to the function', 'if (a) { var v = 1 } v', ['a']],
  ['var stays inside its function', 'function f() { var z } z', ['z']],
  ['var stays inside a nested function', 'function f() { function g() { var q } q }', ['q']],
  ['block function declaration is block-scoped (strict)', '{ g(); function g() {} } g', ['g']],
  ['var inside a for-in head hoists', 'for (var k in o) {} k', ['o']],
];

const blockScoping: FreeCase[] = [
  ['let does not leave its block', '{ let a = 1 } a', ['a']],
  ['use before let in the same block is bound (TDZ is a run-time matter)', '{ a; let a }', []],
  ['const seen from an inner block', '{ const c = 1; { c } }', []],
  ['for-let head scopes the loop only', 'for (let i = 0; i < n; i++) { i } i', ['n', 'i']],
  ['for-of right side sees the head binding', 'for (const k of k) {}', []],
  ['for-in head binding', 'for (const k in o) { k } k', ['o', 'k']],
  ['switch cases share one scope', 'switch (d) { case 1: let s = 1; break; default: s } s', ['d', 's']],
  ['class declaration is block-scoped', 'class K {} K; { class L {} } L', ['L']],
  ['using is block-scoped', '{ using u = res(); u } u', ['res', 'u']],
];

const shadowing: FreeCase[] = [
  ['top-level var shadows a global', 'var process = 1; process', []],
  ['parameter shadows inside only', 'function f(process) { process } process', ['process']],
  ['inner let shadows outer free name', 'Buffer; { let Buffer; Buffer }', ['Buffer']],
  ['import binding', "import { x as y } from 'm'; y; x", ['x']],
  ['default and namespace imports', "import d, * as ns from 'm'; d; ns", []],
];

const parameters: FreeCase[] = [
  ['defaults, destructuring and rest', 'function f(a, b = a, { c, d: [e] } = g, ...rest) { a; b; c; e; rest }', ['g']],
  ['arrow defaults', '(a, b = c) => a + b', ['c']],
  ['a default cannot see a body var', 'function f(a = x) { var x }', ['x']],
  ['a default closure cannot see a body let', 'function f(a = () => y) { let y }', ['y']],
  ['a default sees a later parameter', 'function f(a = b, b) {}', []],
  ['computed key in a parameter pattern', 'function f({ [k]: v }) { v }', ['k']],
  ['body var of a parameter name stays bound', 'function f(a = 1) { var a; a }', []],
];

const catchClauses: FreeCase[] = [
  ['catch parameter is local to the clause', 'try {} catch (e) { e } e', ['e']],
  ['catch pattern default is a reference', 'try {} catch ({ message = m }) { message }', ['m']],
  ['catch default cannot see the body', 'try {} catch ({ a = z }) { let z }', ['z']],
  ['optional catch binding', 'try { t } catch { c } finally { f }', ['t', 'c', 'f']],
];

const functionsAndClasses: FreeCase[] = [
  ['named function expression binds its name inside only', '(function named() { named })(); named', ['named']],
  ['named class expression binds its name inside only', '(class C { m() { C } }); C', ['C']],
  [
    'class members: keys, fields, private names, static blocks',
    'class A extends B { static s = A; [k] = v; #p = q; m() { return this.#p + arguments.length } static { var sv; sv } } sv',
    ['B', 'k', 'v', 'q', 'sv'],
  ],
  ['private `in` check', 'class Z { #p; static has(o) { return #p in o } }', []],
  ['arguments at module top level is free', 'arguments', ['arguments']],
  ['arguments inside a function is bound', 'function f() { arguments }', []],
  ['arrow arguments at top level is free', '() => arguments', ['arguments']],
  ['arrow arguments inside a function is bound', 'function f() { return () => arguments }', []],
  ['super and this are not identifiers', 'class S extends P { m() { super.m(this) } }', ['P']],
];

const notReferences: FreeCase[] = [
  ['member properties', 'a.b; a?.c; a[b]; a.d.e', ['a', 'b']],
  ['object keys', '({ key: v, [ck]: w, method() {}, get g() { return 1 }, "s": 1, 2: 3 })', ['v', 'ck', 'w']],
  ['class keys', 'class X { key = 1; method() {} static y; get z() { return 1 } }', []],
  ['labels', 'l: for (;;) { break l; continue l }', []],
  ['new.target and import.meta', 'function f() { new.target } import.meta.url', []],
  ['export specifier: local is a reference, exported name is not', 'export { a as b }; var a', []],
  ['re-export names are not references', "export { a as b, c } from 'm'; export * as ns from 'm'", []],
  ['tagged template and template expressions', 'tag`x${y}z`', ['tag', 'y']],
  ['typeof is a read', 'typeof maybe', ['maybe']],
];

const exportsCases: FreeCase[] = [
  ['export default expression', 'export default foo', ['foo']],
  ['export const initializer', 'export const k = bar', ['bar']],
  ['export function binds its name', 'export function ef() {} ef', []],
  ['anonymous default function', 'export default function () { inner }', ['inner']],
  ['default class binds its name', 'export default class DC extends Base {} DC', ['Base']],
];

describe('inspectModule free names', () => {
  const groups: Record<string, FreeCase[]> = {
    hoisting,
    'block scoping': blockScoping,
    shadowing,
    parameters,
    'catch clauses': catchClauses,
    'functions and classes': functionsAndClasses,
    'not references': notReferences,
    exports: exportsCases,
  };
  for (const [group, cases] of Object.entries(groups)) {
    describe(group, () => {
      it.each(cases)('%s', (_title, source, expected) => {
        expect(freeOf(source)).toEqual(expected);
      });
    });
  }

  it('keeps first-occurrence order and counts every occurrence', () => {
    const facts = inspect('b; a; b; c = b;');
    expect([...facts.freeNames.keys()]).toEqual(['b', 'a', 'c']);
    expect(facts.freeNames.get('b')?.occurrences.map((o) => o.start)).toEqual([0, 6, 13]);
  });
});

describe('inspectModule occurrence flags', () => {
  /** [source, name, per-occurrence write flags, reads, writes] */
  const writes: Array<[string, string, boolean[], number, number]> = [
    ['x = 1', 'x', [true], 0, 1],
    ['x += 1', 'x', [true], 1, 1],
    ['x ??= 1', 'x', [true], 1, 1],
    ['x++; --x', 'x', [true, true], 2, 2],
    ['[x, ...y] = a', 'x', [true], 0, 1],
    ['({ x } = o)', 'x', [true], 0, 1],
    ['({ k: x } = o)', 'x', [true], 0, 1],
    ['({ x = 1 } = o)', 'x', [true], 0, 1],
    ['({ ...x } = o)', 'x', [true], 0, 1],
    ['[{ a: [x = d] }] = o', 'x', [true], 0, 1],
    ['for (x in o) {}', 'x', [true], 0, 1],
    ['for ([x] of o) {}', 'x', [true], 0, 1], // Babel's scope.globals misses this one
    ['x; typeof x; x.y = 1; x[0]++', 'x', [false, false, false, false], 4, 0],
    ['x = x + 1', 'x', [true, false], 1, 1],
  ];
  it.each(writes)('%s: %s', (source, name, flags, reads, written) => {
    const free = inspect(source).freeNames.get(name);
    expect(free?.occurrences.map((o) => o.write)).toEqual(flags);
    expect(free?.reads).toBe(reads);
    expect(free?.writes).toBe(written);
  });

  /** [source, name, per-occurrence shorthand flags] */
  const shorthand: Array<[string, string, boolean[]]> = [
    ['({ x })', 'x', [true]],
    ['({ x: x })', 'x', [false]],
    ['({ x } = o)', 'x', [true]],
    ['({ x = 1 } = o)', 'x', [true]],
    ['({ k: x } = o)', 'x', [false]],
    ['({ x, y: [x] })', 'x', [true, false]],
    ['const { x } = o; ({ o })', 'o', [false, true]],
  ];
  it.each(shorthand)('shorthand %s', (source, name, flags) => {
    const occurrences = inspect(source).freeNames.get(name)?.occurrences ?? [];
    expect(occurrences.map((o) => o.shorthand)).toEqual(flags);
    // A rewrite replaces exactly the identifier: its span covers the name.
    for (const o of occurrences) expect(source.slice(o.start, o.end)).toBe(name);
  });

  it('a binding pattern declares instead of referencing', () => {
    expect(freeOf('const { x, y: [z] = d } = o; x; z')).toEqual(['d', 'o']);
  });
});

describe('inspectModule require forms', () => {
  /** [title, source, literal specifiers, literalRequireCallee per `require` occurrence] */
  const cases: Array<[string, string, string[], boolean[]]> = [
    ['string literal', "require('x')", ['x'], [true]],
    ['double quotes', 'require("x")', ['x'], [true]],
    ['expression-less template', 'require(`x`)', ['x'], [true]],
    ['template with an expression', 'require(`x${y}`)', [], [false]],
    ['concatenation', "require('a' + b)", [], [false]],
    ['identifier argument', 'require(name)', [], [false]],
    ['alias', 'const r = require', [], [false]],
    ['member', "require.resolve('x'); require.main.require('y')", [], [false, false]],
    ['two arguments', "require('x', 'y')", [], [false]],
    ['optional call', "require?.('x')", [], [false]],
    ['spread argument', "require(...['x'])", [], [false]],
    ['new', "new require('x')", [], [false]],
    ['mixed', "require('a'); const r = require; require('b')", ['a', 'b'], [true, false, true]],
    ['inside a function', "function f() { return require('x') }", ['x'], [true]],
  ];
  it.each(cases)('%s', (_title, source, specifiers, callee) => {
    const facts = inspect(source);
    expect(facts.requireCalls.map((call) => call.specifier)).toEqual(specifiers);
    expect(facts.freeNames.get('require')?.occurrences.map((o) => o.literalRequireCallee)).toEqual(callee);
    for (const call of facts.requireCalls) expect(source.slice(call.start, call.end)).toMatch(/^require\(.*\)$/);
  });

  /** A locally bound `require` is an ordinary function: no literal requires, no free `require`. */
  const shadowed: Array<[string, string]> = [
    ['parameter', "function f(require) { require('x') }"],
    ['const', "const require = createRequire(u); require('x')"],
    ['import', "import { require } from 'm'; require('x')"],
    ['hoisted function', "require('x'); function require() {}"],
  ];
  it.each(shadowed)('shadowed by %s', (_title, source) => {
    const facts = inspect(source);
    expect(facts.requireCalls).toEqual([]);
    expect(facts.freeNames.has('require')).toBe(false);
  });

  it('a shadowed require in one function does not hide the free one elsewhere', () => {
    const facts = inspect("function f(require) { require('a') } require('b')");
    expect(facts.requireCalls.map((call) => call.specifier)).toEqual(['b']);
    expect(facts.freeNames.get('require')?.occurrences).toHaveLength(1);
  });

  it('reports the call span', () => {
    const source = "const a = require('a');";
    expect(inspect(source).requireCalls).toEqual([{ start: 10, end: 22, specifier: 'a', source: { start: 18, end: 21 } }]);
  });
});

describe('inspectModule imports', () => {
  it.each([
    ["import('x')", [{ start: 0, end: 11, specifier: 'x', source: { start: 7, end: 10 } }]],
    ['import(`t`)', [{ start: 0, end: 11, specifier: 't', source: { start: 7, end: 10 } }]],
    ['import(name)', [{ start: 0, end: 12 }]],
    ["import('a' + b)", [{ start: 0, end: 15 }]],
    ["import('x', { with: { type: 'json' } })", [{ start: 0, end: 39, specifier: 'x', source: { start: 7, end: 10 } }]],
  ])('dynamic %s', (source, expected) => {
    expect(inspect(source).dynamicImports).toEqual(expected);
  });

  it('a computed dynamic import source is walked for references', () => {
    expect(freeOf('import(name)')).toEqual(['name']);
  });

  it('records each import.meta', () => {
    const source = 'import.meta.url; function f() { return import.meta }';
    const spans = inspect(source).importMetas;
    expect(spans.map((s) => source.slice(s.start, s.end))).toEqual(['import.meta', 'import.meta']);
  });

  it.each([
    ["import 'side';", 'side', []],
    ["import d, { a, b as c } from 'm';", 'm', ['default', 'a', 'b']],
    ["import * as ns from 'm';", 'm', ['*']],
    ["import { 'str name' as s } from 'm';", 'm', ['str name']],
    ["import j from './j.json' with { type: 'json' };", './j.json', ['default']],
    ["export { a, b as c, default } from 'm';", 'm', ['a', 'b', 'default']],
    ["export * from 'm';", 'm', ['*']],
    ["export * as ns from 'm';", 'm', ['*']],
  ])('static %s', (source, specifier, names) => {
    const [found] = inspect(source).staticImports;
    expect(found).toEqual({ start: 0, end: source.length, specifier, source: found!.source, names });
    // The literal itself, quotes included: the wrapper may rewrite it.
    expect(source.slice(found!.source.start, found!.source.end)).toBe(`'${specifier}'`);
  });

  it('local exports are not static imports', () => {
    expect(inspect('export const a = 1; export { a as b }; export default 2;').staticImports).toEqual([]);
  });
});

describe('inspectModule format', () => {
  it.each([
    ['module.exports = 1', 'cjs'],
    ["require('x'); exports.a = 1", 'cjs'],
    ["import('x')", 'cjs'],
    ['return; x', 'cjs'],
    ["import 'x'", 'esm'],
    ['export {}', 'esm'],
    ['export default 1', 'esm'],
    ["export * from 'x'", 'esm'],
    ['const u = import.meta.url', 'esm'],
  ] as const)('%s -> %s', (source, format) => {
    expect(inspect(source).format).toBe(format);
  });
});

describe('inspectModule prologue', () => {
  const hashbang = '#!/usr/bin/env node\n';
  it.each([
    ['no prologue', 'x', false, 0],
    ['use strict', "'use strict'; x", true, 13],
    ['use strict without semicolon', "'use strict'\nx", true, 12],
    ['several directives', '"use asm"; "use strict"; x', true, 24],
    ['other directive only', "'use client'; x", false, 13],
    ['escaped use strict is not the directive', "'use\\x20strict'; x", false, 16],
    ['parenthesized string is not a directive', "('use strict'); x", false, 0],
    ['use strict after code', "x; 'use strict'", false, 0],
    ['hashbang', `${hashbang}x`, false, hashbang.length],
    ['hashbang then use strict', `${hashbang}'use strict';\nx`, true, hashbang.length + 13],
    ['hashbang with CRLF', '#!/bin/node\r\nx', false, 13],
    ['hashbang without newline', '#!/bin/node', false, 11],
    ['comment before use strict', "/* c */ 'use strict'; x", true, 21],
  ] as const)('%s', (_title, source, strict, insertAt) => {
    const facts = inspect(source);
    expect(facts.hasUseStrict).toBe(strict);
    expect(facts.prologueInsertAt).toBe(insertAt);
  });
});

describe('inspectModule syntax errors', () => {
  const catchError = (source: string, file = 'node_modules/sloppy/index.js'): SandboxError => {
    try {
      inspectModule(source, file);
    } catch (error) {
      if (isSandboxError(error)) return error;
      throw error;
    }
    throw new Error('expected inspectModule to throw');
  };

  /** Valid sloppy code that strict mode refuses: [title, source, "line L:C" of the problem]. */
  const sloppyOnly: Array<[string, string, string]> = [
    ['with statement', 'with (o) { x }', 'line 1:1'],
    ['legacy octal literal', 'var n = 010;', 'line 1:9'],
    ['legacy octal escape', "var s = '\\101';", 'line 1:10'],
    ['delete of an identifier', 'var a;\ndelete a;', 'line 2:1'],
    ['reserved word as a name', '\n\nvar implements = 1;', 'line 3:5'],
    ['duplicate parameter names', 'function f(a, a) {}', 'line 1:15'],
  ];
  it.each(sloppyOnly)('%s is refused as not strict', (_title, source, where) => {
    const error = catchError(source);
    expect(error.code).toBe('SB_UNSUPPORTED_SYNTAX');
    expect(error.message).toContain('"node_modules/sloppy/index.js" is not valid strict-mode code');
    expect(error.message).toContain(where);
    expect(error.message).toContain('cannot be bundled');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  /** Broken in every mode: [title, source, "file:line:col"]. */
  const broken: Array<[string, string, string]> = [
    ['missing binding', 'var = 1;', 'node_modules/sloppy/index.js:1:5'],
    ['JSX', 'const a = 1;\nconst e = <div />;', 'node_modules/sloppy/index.js:2:11'],
    ['ESM with a with statement', "import x from 'y';\nwith (x) {}", 'node_modules/sloppy/index.js:2:1'],
  ];
  it.each(broken)('%s is a syntax error with its position', (_title, source, where) => {
    const error = catchError(source);
    expect(error.code).toBe('SB_UNSUPPORTED_SYNTAX');
    expect(error.message).toContain(`syntax error in "${where}"`);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});
