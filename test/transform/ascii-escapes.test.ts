// ascii-escapes: an escaped regexp literal is ASCII and matches exactly what the original matches, in every flag mode; comments are escaped too.

import { describe, expect, it } from 'vitest';
import { asciiComment, asciiRegExpLiteral } from '../../src/transform/ascii-escapes.js';
import { inspectModule } from '../../src/analysis/inspect-module.js';
import { wrapModule } from '../../src/transform/wrap-module.js';

/** Literals as source text, the way they appear in packages (locales, validators, emoji handling). */
const LITERALS = [
  String.raw`/[قب]/`,
  String.raw`/(قبل|بعد) الميلاد/`,
  String.raw`/^[أيفمسند]/i`,
  String.raw`/é/u`,
  String.raw`/[é-ö]+/g`,
  String.raw`/[é-ö]+/gu`,
  String.raw`/\é/`, // an identity escape (only without u/v)
  String.raw`/\\é/`, // an escaped backslash, then é
  String.raw`/[\]é]/`,
  String.raw`/\u00e9é/`,
  String.raw`/\cé/`, // Annex B: \c before a non-letter is a backslash and a c
  String.raw`/😀/`,
  String.raw`/😀+/`, // without u the + applies to the low surrogate only
  String.raw`/😀+/u`,
  String.raw`/[😀]/g`, // without u, a class of two code units
  String.raw`/[😀😁]/gu`,
  String.raw`/\😀/`,
  String.raw`/(?<année>\d{4})-\k<année>/`,
  String.raw`/(?<année>\d{4})-\k<année>/u`,
  String.raw`/\p{Script=Arabic}+é/u`,
  String.raw`/[\p{L}--[é]]+/v`,
  String.raw`/É/gimsyd`,
  String.raw`/\s—\s/`, // an em dash
];

const PROBES = ['', 'é', 'É', 'éö', 'x é ö ü', '\\é', '\\cé', ']', 'قبل الميلاد', 'بعد الميلاد', 'أ', 'ق', '😀', '😀😀', '😁', '\uD83D', '\uDE00', '😀\uDE00\uDE00', '2020-2020', '2020-2021', 'a — b', 'aé', 'ééé', 'ÉÉ'];

/** Everything a literal's matching can show: each probe's match, index, groups, the replace and split results. */
function behaviour(re: RegExp): unknown[] {
  return PROBES.map((probe) => {
    re.lastIndex = 0;
    const match = re.exec(probe);
    re.lastIndex = 0;
    return [match && [...match], match?.index, match?.groups && { ...match.groups }, probe.replace(re, '<$&>'), probe.split(re)];
  });
}

const evaluate = (literal: string) => (0, eval)(literal) as RegExp;

describe('asciiRegExpLiteral', () => {
  it.each(LITERALS)('%s: ASCII, same flags, same matches', (literal) => {
    const escaped = asciiRegExpLiteral(literal);
    expect(escaped).toMatch(/^[\x00-\x7f]*$/);
    const original = evaluate(literal);
    const rewritten = evaluate(escaped);
    expect(rewritten.flags).toBe(original.flags);
    expect(behaviour(rewritten)).toEqual(behaviour(original));
  });

  it('leaves escapes alone: only characters outside ASCII change', () => {
    expect(asciiRegExpLiteral(String.raw`/\\é\d[\]ß]/`)).toBe(String.raw`/\\\u00e9\d[\]\u00df]/`);
    expect(asciiRegExpLiteral(String.raw`/\é/`)).toBe(String.raw`/\u00e9/`);
    expect(asciiRegExpLiteral('/plain/g')).toBe('/plain/g');
  });

  it("changes only the literal's source text", () => {
    expect(evaluate(asciiRegExpLiteral('/[ä]/')).source).toBe(String.raw`[\u00e4]`);
  });
});

describe('asciiComment', () => {
  it('escapes every unit outside ASCII and nothing else', () => {
    expect(asciiComment('/*! MIT. Jimmy Wärting — 👋 \\é */')).toBe(String.raw`/*! MIT. Jimmy W\u00e4rting \u2014 \ud83d\udc4b \\u00e9 */`);
    expect(asciiComment('// plain')).toBe('// plain');
  });
});

describe('wrapModule: regexp literals and comments outside ASCII', () => {
  it('escapes them in place and leaves strings and templates to the bundler', () => {
    const source = "'use strict';\n// café /* */\nconst era = /قبل/u, name = 'é', raw = String.raw`é`; /*! © Zoë */\nmodule.exports = { era, name, raw, ascii: /a/ /* plain */ };\n";
    const facts = inspectModule(source, '/app/node_modules/p/index.js');
    expect(facts.nonAsciiRegExps).toHaveLength(1);
    expect(facts.nonAsciiComments).toHaveLength(2);
    const { code } = wrapModule(source, facts, { relativePath: 'node_modules/p/index.js', sourceMap: false, file: '/app/node_modules/p/index.js' });
    expect(code).toContain(String.raw`const era = /\u0642\u0628\u0644/u, name = 'é', raw = String.raw` + '`é`; ' + String.raw`/*! \u00a9 Zo\u00eb */`);
    expect(code).toContain(String.raw`// caf\u00e9 /* */`);
    expect(code).toContain('/* plain */');
    expect(code.split('\n')).toHaveLength(source.split('\n').length);
  });

  it('an ASCII module has nothing to escape', () => {
    const facts = inspectModule("module.exports = /a/; // plain\n", '/app/node_modules/p/index.js');
    expect(facts.nonAsciiRegExps).toEqual([]);
    expect(facts.nonAsciiComments).toEqual([]);
  });
});
