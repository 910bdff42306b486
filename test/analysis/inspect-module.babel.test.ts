// Differential test: inspectModule's free names equal Babel's scope.globals on ~300 real files from node_modules.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSync } from '@babel/core';
import traverseModule from '@babel/traverse';
import { describe, expect, it } from 'vitest';
import { inspectModule } from '../../src/analysis/inspect-module.js';
import { isSandboxError } from '../../src/errors.js';
import { ROOT, sampleNodeModulesFiles } from './node-modules-sample.js';

// @babel/traverse is CommonJS: Node hands ESM its module.exports (the function is on `.default`),
// a bundling loader may hand the function itself.
type Traverse = typeof traverseModule.default;
const traverse: Traverse =
  typeof traverseModule === 'function' ? (traverseModule as unknown as Traverse) : traverseModule.default;

const SAMPLE_SIZE = 300;

function babelGlobals(source: string): Set<string> | undefined {
  let ast;
  try {
    ast = parseSync(source, {
      sourceType: 'module',
      configFile: false,
      babelrc: false,
      parserOpts: { allowReturnOutsideFunction: true },
    });
  } catch {
    return undefined;
  }
  if (!ast) return undefined;
  let globals: Set<string> | undefined;
  traverse(ast, {
    Program(path) {
      globals = new Set(Object.keys((path.scope as unknown as { globals: Record<string, unknown> }).globals));
      path.stop();
    },
  });
  return globals;
}

describe('inspectModule vs Babel scope.globals', () => {
  it(`finds the same free names on ${SAMPLE_SIZE} node_modules files`, () => {
    const files = sampleNodeModulesFiles({ size: SAMPLE_SIZE, maxBytes: 300_000, name: /\.js$/ });
    const mismatches: string[] = [];
    const badSpans: string[] = [];
    let compared = 0;
    let refused = 0;
    let babelFailed = 0;

    for (const file of files) {
      const source = readFileSync(join(ROOT, file), 'utf8');
      let facts;
      try {
        facts = inspectModule(source, file);
      } catch (error) {
        // Only files that are not strict-mode modules are skipped, never a crash.
        if (!isSandboxError(error) || error.code !== 'SB_UNSUPPORTED_SYNTAX') throw error;
        refused++;
        continue;
      }
      const babel = babelGlobals(source);
      if (!babel) {
        babelFailed++;
        continue;
      }
      compared++;
      // Babel never binds `arguments`, so it reports it wherever it is used.
      babel.delete('arguments');
      const ours = new Set(facts.freeNames.keys());
      ours.delete('arguments');
      const onlyOurs = [...ours].filter((name) => !babel.has(name));
      const onlyBabel = [...babel].filter((name) => !ours.has(name));
      if (onlyOurs.length > 0 || onlyBabel.length > 0) {
        mismatches.push(`${file}: only ours [${onlyOurs.join(', ')}], only Babel [${onlyBabel.join(', ')}]`);
      }
      for (const [name, free] of facts.freeNames) {
        for (const at of free.occurrences) {
          if (source.slice(at.start, at.end) !== name) badSpans.push(`${file}:${at.start} ${name}`);
        }
      }
    }

    expect(mismatches).toEqual([]);
    expect(badSpans).toEqual([]);
    // The sample must really exercise the comparison.
    expect(compared).toBeGreaterThanOrEqual(Math.floor(files.length * 0.9));
    expect(refused + babelFailed + compared).toBe(files.length);
  }, 60_000);
});
