// Differential test: meriyah's tree (the fast parse) has acorn's nodes (the reference), and the module facts come out the same from both.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Program } from 'acorn';
import { walk } from 'estree-walker';
import { factsOf, inspectModule, parseFast, parseReference, type ModuleFacts, type Span } from '../../src/analysis/inspect-module.js';
import { isSandboxError } from '../../src/errors.js';
import { ROOT, sampleNodeModulesFiles } from './node-modules-sample.js';

const SAMPLE_SIZE = 1500;

/** The facts as plain data (the free names are a Map), so a mismatch prints as a readable diff. */
const comparable = (facts: ModuleFacts) => ({ ...facts, freeNames: [...facts.freeNames.values()] });

/**
 * Every node of a tree as "type:start-end", sorted: the two parsers create a node's properties in
 * different orders (an IfStatement's test and consequent), so the walk order differs, not the nodes.
 */
function nodesOf(program: Program): string[] {
  const nodes: string[] = [];
  walk(program as Parameters<typeof walk>[0], {
    enter(node) {
      const { start, end } = node as unknown as { start: number; end: number };
      nodes.push(`${node.type}:${start}-${end}`);
    },
  });
  return nodes.sort();
}

type Outcome = { kind: 'same' } | { kind: 'fallback' } | { kind: 'refused' } | { kind: 'mismatch'; detail: string };

/** How one source fares: both trees give equal facts, meriyah refuses (acorn decides), or they disagree. */
function compare(source: string, file: string): Outcome {
  let reference: Program | undefined;
  const referenceComments: Span[] = [];
  const fastComments: Span[] = [];
  try {
    reference = parseReference(source, file, referenceComments);
  } catch (error) {
    if (!isSandboxError(error)) throw error;
  }
  const fast = parseFast(source, fastComments);
  if (fast === undefined) return reference === undefined ? { kind: 'refused' } : { kind: 'fallback' };
  // meriyah must never accept what acorn refuses: the refusal would be skipped.
  if (reference === undefined) return { kind: 'mismatch', detail: 'meriyah accepts a file acorn refuses' };
  // Node for node: the same types over the same spans. Then what the wrapper reads from them.
  const referenceNodes = nodesOf(reference);
  const fastNodes = nodesOf(fast);
  const firstDifference = referenceNodes.findIndex((node, index) => fastNodes[index] !== node);
  if (firstDifference !== -1 || referenceNodes.length !== fastNodes.length) {
    const at = firstDifference === -1 ? referenceNodes.length : firstDifference;
    return { kind: 'mismatch', detail: `trees differ: acorn ${referenceNodes.slice(at, at + 3).join(' ')} / meriyah ${fastNodes.slice(at, at + 3).join(' ')}` };
  }
  const expected = JSON.stringify(comparable(factsOf(reference, source, file, referenceComments)));
  const actual = JSON.stringify(comparable(factsOf(fast, source, file, fastComments)));
  return expected === actual ? { kind: 'same' } : { kind: 'mismatch', detail: `facts differ\n  acorn:   ${expected.slice(0, 400)}\n  meriyah: ${actual.slice(0, 400)}` };
}

/** Syntax that real packages may not all show: each form the walker has a rule for, and their corners. */
const SNIPPETS: Record<string, string> = {
  'classes: fields, private names, static blocks, accessors': `
    class A extends (B ?? C) { #x = y; static z = w; static { var v = q; let u = v; } get [k]() { return this.#x } set s(a = d) {} has(o) { return #x in o } }
    const E = class Named { m() { return Named } }; Named;`,
  'functions: defaults, destructuring, rest, arguments, new.target': `
    function f(a = b, { c, d: [e = g] = h, ...i } = {}, ...j) { var b; return arguments.length + new.target + c + e + i + j }
    const arrow = (x = arguments) => x; async function* gen() { yield* await z; for await (const p of q) p }`,
  'assignments: patterns, compound, logical, updates': `
    [a, { b, c: d = e, ...f }] = g; ({ h, i = j } = k); l += 1; m ??= n; o ||= p; q &&= r; s++; --t; u.v = w; x[y] = z;`,
  'loops and heads': `
    for (let i = 0; i < n; i++) { for (const k in o) k; for (v of w) v; for ([a1, b1] of c1); } for (var h in m); label: while (x) { break label }`,
  'scopes: catch, switch, blocks, TDZ': `
    try { t() } catch ({ message = fallback }) { message } finally { f2 }
    switch (s) { case 1: let q = 1; break; default: q } { const shadow = 1; shadow } shadow; before; let before = 1;`,
  'modules: every import and export form, import.meta, dynamic import': `
    import def, * as ns from 'a'; import { x as y, 'string name' as z } from 'b'; import 'side';
    export { y as w, z as 'other name' }; export * from 'c'; export * as nsx from 'd'; export { q as qe } from 'e';
    export const c1 = import.meta.url; export default function () { return import('f') + import(g) + import(\`h\`) }
    await import('top-level-await');`,
  'import attributes': `import data from './data.json' with { type: 'json' }; export { data }; import('./x.json', { with: { type: 'json' } });`,
  'requires: literal, template, shadowed, computed, optional': `
    const a = require('a'); const b = require(\`b\`); const c = require(name); require?.('d'); require('e', 'f');
    function local(require) { return require('g') } const r = require; r('h');`,
  'literals: regexps, bigints, numeric separators, templates, tagged templates': `
    const re = /[/\\]]+(?<name>x)/giu; const big = 10n ** 2n; const sep = 1_000_000; tag\`a\${b}c\${d}\`; \`\${e}\`; /re/v.test(f);`,
  'objects: shorthand, computed, methods, spread, getters': `
    const o = { a, b: c, [d]: e, f() { return g }, get h() { return i }, ...j, 'k': l, async *m() {} };`,
  'chains and operators': `a?.b?.[c]?.(d); e ** f; g in h; i instanceof j; typeof k; void l; delete m.n; o, p; q ? r : s;`,
  'prologue: directives, hashbang': `#!/usr/bin/env node\n'use strict'\n"other directive";\nfree;`,
  'characters outside ASCII: regexps, comments, hashbang, strings': `#!/usr/bin/env nöde\n// café\nconst re = /[é-ö]/u, s = 'ü'; /*! © Zoë */ /* plain */ /** ä */ x(/ß/, \`ñ\`);`,
  'escaped directive is not use strict': `'use\\x20strict'; x;`,
  'globals named like keywords in sloppy code': `let async = 1; async; of; yield1; get; set; static1;`,
};

/** Code that parses sloppy but not as a strict module: both parsers must refuse each. */
const STRICT_ERRORS: Record<string, string> = {
  'duplicate parameters': 'function f(a, a) {}',
  'redeclared let': 'let a; let a;',
  'let redeclaring a function': 'function g() {} let g;',
  'duplicate default export': 'export default 1; export { x as default };',
  'export of an undeclared name': 'export { missing };',
  with: 'with (o) { x }',
  'legacy octal literal': 'const n = 010;',
  'delete of a name': 'delete x;',
  'assignment to arguments': 'arguments = 1;',
  'eval as a binding': 'let eval = 1;',
  'reserved word as a name': 'const implements = 1;',
  'await as a name': 'const await = 1;',
  'HTML close comment': 'x = 1\n--> y\n',
};

describe('inspectModule: meriyah (fast) and acorn (reference) trees give the same facts', () => {
  for (const [name, source] of Object.entries(STRICT_ERRORS)) {
    it(`both refuse: ${name}`, () => {
      expect(compare(source, `${name}.js`)).toEqual({ kind: 'refused' });
    });
  }

  for (const [name, source] of Object.entries(SNIPPETS)) {
    it(name, () => {
      const outcome = compare(source, `${name}.js`);
      expect(outcome).toEqual({ kind: 'same' });
    });
  }

  it(`on ${SAMPLE_SIZE} files of node_modules`, () => {
    const files = sampleNodeModulesFiles({ size: SAMPLE_SIZE, maxBytes: 300_000, name: /\.[cm]?js$/ });
    const counts = { same: 0, fallback: 0, refused: 0 };
    const mismatches: string[] = [];
    for (const file of files) {
      const outcome = compare(readFileSync(join(ROOT, file), 'utf8'), file);
      if (outcome.kind === 'mismatch') mismatches.push(`${file}: ${outcome.detail}`);
      else counts[outcome.kind]++;
    }
    expect(mismatches).toEqual([]);
    // The sample has to exercise the fast path; fallbacks (top-level return) and refusals are rare.
    expect(files.length).toBe(SAMPLE_SIZE);
    expect(counts.same).toBeGreaterThan(SAMPLE_SIZE * 0.95);
  });
});

describe('inspectModule: what goes to the reference parse', () => {
  it('a CommonJS file with a top-level return: meriyah refuses it, acorn inspects it', () => {
    const source = `'use strict';\nif (typeof window !== 'undefined') return;\nmodule.exports = process.env.X;`;
    expect(parseFast(source)).toBeUndefined();
    const facts = inspectModule(source, 'early-return.js');
    expect(facts.format).toBe('cjs');
    expect([...facts.freeNames.keys()]).toEqual(['window', 'module', 'process']);
  });

  it('sloppy-only code is refused with the reference parse wording', () => {
    expect(() => inspectModule('with (o) { x }', 'sloppy.js')).toThrow(/"sloppy\.js" is not valid strict-mode code/);
  });

  it('a node type the walker has no rule for refuses the module instead of skipping its subtree', () => {
    const program = parseFast('\nf(x);')!;
    // A future syntax form, as a newer parser would produce it, wrapping an identifier.
    (program.body[0] as unknown as { expression: unknown }).expression = { type: 'PipelineExpression', start: 1, end: 5, argument: { type: 'Identifier', name: 'x', start: 3, end: 4 } };
    let error: unknown;
    try {
      factsOf(program, '\nf(x);', 'future.js');
    } catch (caught) {
      error = caught;
    }
    expect(isSandboxError(error) && error.code).toBe('SB_UNSUPPORTED_SYNTAX');
    expect((error as Error).message).toMatch(/"future\.js:2:1" uses syntax .* \(no scope rule for a PipelineExpression node\)/);
  });
});
