// Tests for wrapModule's prologue: the names it binds, and how they stay apart across ES modules.
import { describe, expect, it } from 'vitest';
import { inspectModule } from '../../src/analysis/inspect-module.js';
import { wrapModule } from '../../src/transform/wrap-module.js';

const wrap = (source: string, relativePath: string) => wrapModule(source, inspectModule(source, `/app/${relativePath}`), { relativePath, sourceMap: false, file: `/app/${relativePath}` }).code;
/** The prologue's own names (`;import S from "...";var G = S.globalThis, ...;` or `;var S = require("...");var G = ...;`). */
function prologueNames(code: string): string[] {
  const prologue = /^;(?:import (\w+) from "[^"]*";|var (\w+) = require\("[^"]*"\);)var ([^;]*);/.exec(code);
  if (!prologue) throw new Error(`no prologue in: ${code}`);
  const bound = prologue[3]!.split(', ').map((binding) => binding.split(' = ')[0]!);
  return [prologue[1] ?? prologue[2]!, ...bound].filter((name) => name.startsWith('__sb'));
}

describe('wrapModule', () => {
  const esm = "export const now = () => Date.now();\n";

  it("gives an ES module's scope bindings a tag from its path, the same in every build", () => {
    const a = wrap(esm, 'node_modules/a/index.mjs');
    const b = wrap(esm, 'node_modules/b/index.mjs');
    expect(prologueNames(a)).toEqual([expect.stringMatching(/^__sb_[0-9a-f]{8}$/), expect.stringMatching(/^__sbG_[0-9a-f]{8}$/)]);
    // Top-level names the bundler would otherwise rename in each module (and then check every CommonJS module's against).
    expect(prologueNames(b)).not.toEqual(prologueNames(a));
    expect(wrap(esm, 'node_modules/a/index.mjs')).toBe(a);
    expect(a).toContain('Date = ');
  });

  it('keeps the short names in a CommonJS module, whose top level is a function of its own in the bundle', () => {
    expect(prologueNames(wrap('module.exports = () => Date.now();\n', 'node_modules/a/index.js'))).toEqual(['__sb', '__sbG']);
  });

  it('never binds a name the module already uses', () => {
    const names = prologueNames(wrap('var __sb = 1, __sbG = 2; module.exports = __sb + __sbG;\n', 'node_modules/a/index.js'));
    expect(names).toEqual(['__sb1', '__sbG1']);
  });
});
