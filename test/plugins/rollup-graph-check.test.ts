// The rollup graph check on one module's final code: host names in provably dead code (the
// cjs-module-lexer export hint `0&&(module.exports={...})` that esbuild writes and
// @rollup/plugin-commonjs leaves as is) are ignored; the same names anywhere they could run are refused.

import { describe, it, expect } from 'vitest';
import { rollup, type ModuleInfo, type Plugin } from 'rollup';
import { parseAst } from 'rollup/parseAst';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjsPlugin, { type RollupCommonJSOptions } from '@rollup/plugin-commonjs';
import { buildSync } from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sandbox } from '../../plugins/rollup/index.js';
import { createGraphCheck, deadRanges } from '../../plugins/rollup/graph-check.js';
import { scratchDir } from '../scratch.js';

// Its types describe the CommonJS build; the ESM build loaded here has the factory as default export.
const commonjs = commonjsPlugin as unknown as (options?: RollupCommonJSOptions) => Plugin;
const COMMONJS: RollupCommonJSOptions = { strictRequires: true, transformMixedEsModules: true, extensions: ['.js', '.cjs', '.mjs', ''] };

const ID = '/app/node_modules/hinted/index.js';

/** What moduleParsed hands the check for a package file commonjs wrapped (strictRequires: true). */
function parsed(code: string): ModuleInfo {
  return { id: ID, code, ast: parseAst(code), meta: { commonjs: { isCommonJS: 'withRequireFunction' } } } as unknown as ModuleInfo;
}

function inspect(code: string) {
  return createGraphCheck(() => `"${ID}" (package "hinted")`).inspectParsed(parsed(code), 'sandboxed');
}

/** esbuild's cjs output ends like this (immer's dist/cjs does). */
const ESBUILD_HINT = 'var t = {}; exports_ = t; 0&&(module.exports={Immer,produce,castDraft});';

describe('rollup graph check: host names in dead code', () => {
  it.each([
    ['the esbuild export hint', ESBUILD_HINT],
    ['0 && (module.exports = ...)', '0 && (module.exports = { a: 1 });'],
    ['false && require(...)', "false && require('child_process');"],
    ['"" && exports.x', '"" && (exports.x = 1);'],
    ['0n && module', '0n && module;'],
    ['null && module', 'null && module;'],
    ['void 0 && module', 'void 0 && (module.exports = {});'],
    ['void f() && module (the operand runs, the right side does not)', 'void f() && module;'],
    ['!1 && module', '!1 && module;'],
    ['1 || require(...)', "1 || require('fs');"],
    ['/re/ || require(...) (a RegExp is truthy)', "/re/ || require('fs');"],
    ['"x" ?? module', '"x" ?? module;'],
    ['x && 0 ? module : 1', 'x && 0 ? module.exports : 1;'],
    ['(f(), 0) && module', '(f(), 0) && module;'],
    ['"a" === "b" && module', '"a" === "b" && module;'],
    ['1 == "1" || module', '1 == "1" || module;'],
    ['if (0) { ... }', 'if (0) { module.exports = require("fs"); }'],
    ['if (1) ... else { ... }', 'if (1) { f(); } else { exports.x = require("fs"); }'],
    ['0 ? module : 1', 'const v = 0 ? module : 1;'],
    ['nested inside a function in dead code', '0 && (function () { return require("fs"); })();'],
    ['a function made in dead code (it is never created: g stays undefined)', 'if (0) { var g = () => module; } g();'],
  ])('accepts %s', (_name, code) => {
    expect(inspect(code)).toBeUndefined();
  });

  it.each([
    ['the same hint, live', ESBUILD_HINT.replace('0&&', '1&&'), ['module']],
    ['1 && (module.exports = ...)', '1 && (module.exports = { a: 1 });', ['module']],
    ['x && module (x unknown)', 'x && module;', ['module']],
    ['0 || require(...)', "0 || require('fs');", ['require']],
    ['/re/ && require(...) (a RegExp is truthy)', "/re/ && require('fs');", ['require']],
    ['null ?? module', 'null ?? module;', ['module']],
    ['x ?? module (x unknown)', 'x ?? module;', ['module']],
    ['void 0 || exports', 'void 0 || (exports.x = 1);', ['exports']],
    ['"a" == "a" && module', '"a" == "a" && module;', ['module']],
    ['if (1) { ... }', 'if (1) { module.exports = 1; }', ['module']],
    ['if (0) ... else { ... }', 'if (0) { f(); } else { exports.x = 1; }', ['exports']],
    ['if (x) { ... } (x unknown)', 'if (x) { module.exports = 1; }', ['module']],
    ['the host name in the constant test itself', '(module.exports = 0) && f();', ['module']],
    ['the host name before the dead part', '(module.x, 0) && f();', ['module']],
    ['a live use next to a dead hint', `module.exports = require('fs'); ${ESBUILD_HINT}`, ['module', 'require']],
  ])('refuses %s', (_name, code, names) => {
    const problem = inspect(code);
    expect(problem?.message).toMatch(/\(package "hinted"\) still uses Node's own/);
    const named = [...problem!.message.matchAll(/"(require|module|exports)"/g)].map((m) => m[1]);
    expect(named.sort()).toEqual([...names].sort());
  });

  it('marks only the outermost dead part, and nothing in live code', () => {
    const code = 'a && b; 0 && (x, 0 && y); if (0) z; else w;';
    const ranges = deadRanges(parseAst(code)).map(([start, end]) => code.slice(start, end));
    expect(ranges).toEqual(['x, 0 && y', 'z;']);
  });
});

describe('rollup graph check: a package built by esbuild (its export hint left by commonjs)', () => {
  // The package's dist is real esbuild cjs output, ending in `0 && (module.exports = { greet, shout })`.
  const app = scratchDir('sb-hint-');
  const pkg = path.join(app, 'node_modules/hinted');
  fs.mkdirSync(pkg, { recursive: true });
  const dist = buildSync({
    stdin: { contents: "export const greet = (name) => 'hello ' + name; export function shout(s) { return s.toUpperCase(); }" },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
  }).outputFiles[0].text;
  fs.writeFileSync(path.join(pkg, 'index.js'), dist);
  fs.writeFileSync(path.join(pkg, 'package.json'), '{ "name": "hinted", "version": "1.0.0", "main": "index.js" }\n');
  fs.writeFileSync(path.join(app, 'package.json'), '{ "name": "hint-app", "version": "1.0.0", "private": true, "dependencies": { "hinted": "1.0.0" } }\n');
  fs.writeFileSync(path.join(app, 'index.js'), "const { greet, shout } = require('hinted');\nconsole.log(shout(greet('rollup')));\n");

  async function build(options: RollupCommonJSOptions): Promise<string> {
    const file = path.join(app, 'dist', 'app.cjs');
    const output = { file, format: 'cjs' as const };
    const plugins = [sandbox({ root: app, policy: { resources: {} } }), nodeResolve({ exportConditions: ['node'], preferBuiltins: true, rootDir: app }), commonjs(options)];
    const bundle = await rollup({ input: path.join(app, 'index.js'), output, plugins, onLog: () => {} });
    try {
      await bundle.write(output);
    } finally {
      await bundle.close();
    }
    return file;
  }

  it('the hint is there, dead: the sandboxed build succeeds and runs', async () => {
    expect(dist).toMatch(/\b0 && \(module\.exports = \{/);
    const result = spawnSync(process.execPath, [await build(COMMONJS)], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('HELLO ROLLUP\n');
  });

  it('commonjs skips the package: its live module.exports is still refused', async () => {
    const error = await build({ ...COMMONJS, exclude: ['**/hinted/**'] }).then(
      () => undefined,
      (e: unknown) => e as { pluginCode?: string; message: string },
    );
    expect(error?.pluginCode).toBe('SB_BUILD_FAILED');
    expect(error?.message).toMatch(/hinted\/index\.js" \(package "hinted"\) still uses Node's own [^.]*"module"/);
  });
});
