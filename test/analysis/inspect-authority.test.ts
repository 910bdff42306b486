// What inspectAuthority finds in one module: member paths, aliasing, destructuring, writes, typeof checks, doors and unresolvable code.
import { describe, expect, it } from 'vitest';
import { inspectAuthority } from '../../src/analysis/inspect-authority.js';

interface Summary {
  globals?: Record<string, true | 'write'>;
  exportWrites?: string[];
  builtin?: string[];
  imports?: string[];
  doors?: string[];
  unresolved?: string[];
}

/** The result in a form a table can spell: only non-empty parts, doors as "kind:permission", unresolved as "line:code". */
function summarize(source: string, file = '/app/node_modules/pkg/index.js'): Summary {
  // Names the cases use as ordinary local variables: declared, so they are not globals.
  const result = inspectAuthority(`var a, b, d, f, o, p, s, u, x, code, factory, load, log, name, spec, url;\n${source}`, file);
  const summary: Summary = {};
  if (result.globals.size) summary.globals = Object.fromEntries([...result.globals].map(([key, use]) => [key, use.write ? 'write' : true]));
  if (result.builtin.size) summary.builtin = [...result.builtin.keys()].sort();
  if (result.imports.length) summary.imports = result.imports.map((i) => i.specifier).sort();
  if (result.exportWrites.length) summary.exportWrites = [...new Set(result.exportWrites.map((w) => w.specifier))].sort();
  if (result.doors.length) summary.doors = [...new Set(result.doors.map((d) => `${d.kind}:${d.permission}`))].sort();
  if (result.unresolved.length) summary.unresolved = result.unresolved.map((u) => `${u.site.line - 1}:${u.code}`);
  return summary;
}

describe('inspectAuthority', () => {
  it.each<[string, string, Summary]>([
    // member paths on globals stop one member below the global
    ['member path', 'process.env.NODE_ENV', { globals: { 'process.env': true } }],
    ['call on a global member', 'process.cwd()', { globals: { 'process.cwd': true } }],
    ['a global used whole', 'log(console)', { globals: { console: true } }],
    ['aliasing', 'const p = process; p.env.HOME; p.cwd()', { globals: { 'process.cwd': true, 'process.env': true } }],
    ['alias of an alias', 'var a = process; var b = a; b.argv', { globals: { 'process.argv': true } }],
    ['destructuring', 'const { env, argv } = process', { globals: { 'process.argv': true, 'process.env': true } }],
    ['nested destructuring with defaults', 'const { env: { HOME = "/" } = {} } = process', { globals: { 'process.env': true } }],
    ['rest element takes the whole object', 'const { env, ...rest } = process', { globals: { process: true, 'process.env': true } }],
    ['computed member takes the whole object', 'process[name]', { globals: { process: true } }],
    ['fn.call uses fn', 'setTimeout.call(null, f, 1)', { globals: { setTimeout: true } }],
    ['alias loops end', 'let cur = process; while (cur) cur = cur.parent;', { globals: { 'process.parent': true } }],
    // writes
    ['assigning an undeclared name writes the global', 'leaked = 1', { globals: { leaked: 'write' } }],
    ['member write', 'process.env.DEBUG = "x"', { globals: { 'process.env': 'write' } }],
    ['compound write', 'process.exitCode += 1', { globals: { 'process.exitCode': 'write' } }],
    ['delete is a write', 'delete process.env.X', { globals: { 'process.env': 'write' } }],
    ['destructuring assignment to a global', '({ a: leaked } = o)', { globals: { leaked: 'write' } }],
    // the global object
    ['globalThis.x reads x', 'globalThis.fetch(url)', { globals: { fetch: true } }],
    ['global.x reads x', 'global.Buffer.from(s)', { globals: { 'Buffer.from': true } }],
    ['globalThis.x = v writes x', 'globalThis.myLib = {}', { globals: { myLib: 'write' } }],
    ['through the global object to a member', 'globalThis.process.env.X', { globals: { 'process.env': true } }],
    ['alias of the global object', 'const g = globalThis; g.setImmediate(f)', { globals: { setImmediate: true } }],
    ['computed global is reported', 'globalThis[name]', { unresolved: ['1:globalThis[name]'] }],
    // typeof and presence tests read nothing
    ['typeof of a bare global', 'if (typeof window !== "undefined") {}', {}],
    ['presence test of a bare global', 'var has = typeof process === "object" && process && 1', {}],
    ['typeof of a member reads it', 'typeof process.versions', { globals: { 'process.versions': true } }],
    ['typeof guard then use', 'if (typeof fetch === "function") fetch(url)', { globals: { fetch: true } }],
    ['in test on a member object', '"X" in process.env', { globals: { 'process.env': true } }],
    ['instanceof uses the constructor', 'x instanceof Buffer', { globals: { Buffer: true } }],
    // language globals and module-scope names need nothing
    ['language globals', 'Object.keys(JSON.parse(s)); new Promise(r => r(Math.max(1, 2))); Symbol.iterator; new Uint8Array(2); globalThis.Array', {}],
    ['Error needs no grant for what the compartment Error does', 'new Error("x"); Error.captureStackTrace(o); Error.stackTraceLimit = 50; x instanceof Error', {}],
    ['Error.prepareStackTrace assigned needs the host Error', 'const prep = Error.prepareStackTrace;\nError.prepareStackTrace = (e, s) => s;', { globals: { Error: true } }],
    ['module scope names', 'exports.a = __dirname + __filename; module.exports = arguments.length; require.resolve("x")', {}],
    ['bound names are not globals', 'function f(process) { return process.env } const console = {}; console.log()', {}],
    // builtins
    ['require then members', 'const fs = require("fs"); fs.readFile(a); fs.writeFileSync(b)', { builtin: ['fs.readFile', 'fs.writeFileSync'] }],
    ['destructured require with node: prefix', 'const { join, resolve: res } = require("node:path"); join(a, res(b))', { builtin: ['path.join', 'path.resolve'] }],
    ['require().member', 'require("os").cpus().length', { builtin: ['os.cpus'] }],
    ['namespace members go one level deeper', 'require("fs").promises.readFile(p)', { builtin: ['fs.promises.readFile'] }],
    ['destructured namespace', 'const { promises: fsp } = require("fs"); fsp.writeFile(p, d)', { builtin: ['fs.promises.writeFile'] }],
    ['a builtin passed whole', 'const fs = require("fs"); module.exports = fs', { builtin: ['fs'] }],
    ['an unused CommonJS require needs the module to load', 'const util = require("util")', { builtin: ['util'] }],
    ['a class export used whole', 'const EventEmitter = require("events"); class A extends EventEmitter {}', { builtin: ['events'] }],
    ['Babel interop', 'function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }\nvar _fs = _interopRequireDefault(require("fs")); (0, _fs.default.readFileSync)(p)', { builtin: ['fs.readFileSync'] }],
    ['TypeScript interop', 'const tslib_1 = require("tslib"); const fs_1 = tslib_1.__importDefault(require("fs")); fs_1.default.statSync(p)', { builtin: ['fs.statSync'], imports: ['tslib'] }],
    ['alias of require', 'const r = require; r("os").hostname()', { builtin: ['os.hostname'] }],
    ['process as a builtin', 'require("process").nextTick(f)', { builtin: ['process.nextTick'] }],
    ['fs/promises subpath', 'require("fs/promises").readFile(p)', { builtin: ['fs/promises.readFile'] }],
    // ES modules
    ['named import', 'import { readFile } from "fs"; readFile(p)', { builtin: ['fs.readFile'] }],
    ['default import', 'import fs from "fs"; fs.readFileSync(p)', { builtin: ['fs.readFileSync'] }],
    ['namespace import', 'import * as fs from "node:fs"; fs.statSync(p)', { builtin: ['fs.statSync'] }],
    ['an unused ES import needs nothing', 'import fs from "fs"; import "os"', {}],
    ['re-export of a builtin member', 'export { readFile } from "fs"', { builtin: ['fs.readFile'] }],
    ['re-export of a whole builtin', 'export * from "fs"', { builtin: ['fs'] }],
    ['await import() of a builtin', 'const { readFile } = await import("fs"); (await import("os")).cpus()', { builtin: ['fs.readFile', 'os.cpus'] }],
    ['import().then uses the whole builtin', 'import("fs").then(f)', { builtin: ['fs'] }],
    // packages
    ['package specifiers are left to resolve', 'require("lodash"); import x from "left-pad"; export * from "./lib.js"; import("dep")', { imports: ['./lib.js', 'dep', 'left-pad', 'lodash'] }],
    // writes to another package's exports need "write" on that package
    ['a member of required exports assigned', 'const uri = require("fast-uri"); uri.code = "x"', { imports: ['fast-uri'], exportWrites: ['fast-uri'] }],
    ['a member of an imported binding assigned', 'import { customEndpointFunctions } from "@smithy/core/endpoints"; customEndpointFunctions.aws = {}', { imports: ['@smithy/core/endpoints'], exportWrites: ['@smithy/core/endpoints'] }],
    ['a computed member written', 'require("dep")[name] = 1', { imports: ['dep'], exportWrites: ['dep'] }],
    ['reading exports is no write', 'const dep = require("dep"); dep.x.y(); let other = dep; other = 2', { imports: ['dep'] }],
    ['through interop default', 'function __importDefault(m) { return m; } const d = __importDefault(require("dep")); d.default.k = 1', { imports: ['dep'], exportWrites: ['dep'] }],
    // hidden doors are reported, never granted
    ['process.binding', 'process.binding("natives")', { doors: ['global:process.binding'] }],
    ['destructured hidden door', 'const { binding, env } = process', { globals: { 'process.env': true }, doors: ['global:process.binding'] }],
    ['getBuiltinModule', 'process.getBuiltinModule("fs")', { doors: ['global:process.getBuiltinModule'] }],
    ['mainModule member', 'process.mainModule.require("fs")', { doors: ['global:process.mainModule'] }],
    ['process.exit', 'process.exit(1)', { doors: ['global:process.exit'] }],
    ['vm', 'require("vm").runInNewContext(code)', { doors: ['builtin:vm.runInNewContext'] }],
    ['the module builtin', 'import { Module } from "node:module"; Module._load(u)', { doors: ['builtin:module.Module'] }],
    ['worker_threads', 'const { Worker } = require("worker_threads"); new Worker(f)', { doors: ['builtin:worker_threads.Worker'] }],
    // harmless members of powerful builtins are granted like ordinary members; the rest stays a door
    ['module.createRequire (scoped by the runtime)', 'import { createRequire } from "node:module"; const r = createRequire ? createRequire(u) : undefined', { builtin: ['module.createRequire'] }],
    ['pino: isMainThread and createRequire at load', 'const { isMainThread } = require("worker_threads"); const { createRequire } = require("module"); if (isMainThread) createRequire(f).resolve(x)', { builtin: ['module.createRequire', 'worker_threads.isMainThread'] }],
    ['thread-stream: Worker stays a door next to a harmless member', 'const wt = require("node:worker_threads"); wt.threadId; new wt.Worker(f)', { builtin: ['worker_threads.threadId'], doors: ['builtin:worker_threads.Worker'] }],
    ['undici: markAsUncloneable', 'x = require("node:worker_threads").markAsUncloneable', { builtin: ['worker_threads.markAsUncloneable'] }],
    ['koa: v8.startupSnapshot.isBuildingSnapshot is granted to its full depth, the rest of startupSnapshot is a door', 'const v8 = require("node:v8"); if (v8.startupSnapshot?.isBuildingSnapshot?.()) v8.startupSnapshot.addDeserializeCallback(f)', { builtin: ['v8.startupSnapshot.isBuildingSnapshot'], doors: ['builtin:v8.startupSnapshot'] }],
    ['builtinModules and isBuiltin are names only', 'const m = require("module"); m.builtinModules.includes(x); m.isBuiltin(x)', { builtin: ['module.builtinModules', 'module.isBuiltin'] }],
    ['worker_threads used whole is still a door', 'load(require("worker_threads"))', { doors: ['builtin:worker_threads'] }],
    ['parentPort stays a door', 'require("worker_threads").parentPort.postMessage(x)', { doors: ['builtin:worker_threads.parentPort'] }],
    ['process builtin binding', 'require("process").binding("fs")', { doors: ['builtin:process.binding'] }],
    ['module system doors', 'require.cache; module.constructor._load("fs"); require.main === module; module.parent', { doors: ['module:module.constructor', 'module:module.parent', 'module:require.cache', 'module:require.main'] }],
    ['lodash-style global detection', 'var freeGlobal = typeof global == "object" && global && global.Object === Object && global;\nvar root = freeGlobal || Function("return this")();\nvar Buffer = root.Buffer;\nBuffer && Buffer.isBuffer(x);\nvar freeProcess = freeGlobal.process;\nfreeProcess && freeProcess.binding && freeProcess.binding("util");', { globals: { 'Buffer.isBuffer': true }, doors: ['global:process.binding'] }],
    // what cannot be resolved is reported with its line
    ['computed require', 'const x = 1;\nrequire("./locale/" + name)', { unresolved: ['2:require("./locale/" + name)'] }],
    ['require passed as a value', 'load(require)', { unresolved: ['1:require'] }],
    ['require called indirectly', 'require.call(null, "fs")', { unresolved: ['1:require.call'] }],
    ['computed import()', 'import(spec)', { unresolved: ['1:import(spec)'] }],
    ['global object passed on', 'factory(globalThis)', { unresolved: ['1:globalThis'] }],
    // policy paths are identifiers joined by dots: what cannot be spelled stops the path or is reported
    ['a member a policy cannot spell', 'process.env["MY-VAR"]; require("os")["some-key"]', { globals: { 'process.env': true }, builtin: ['os'] }],
    ['a global a policy cannot spell', 'globalThis["__core-js_shared__"]', { unresolved: ['1:globalThis["__core-js_shared__"]'] }],
    ['a non-ASCII global', 'ñame.x', { unresolved: ['1:ñame.x'] }],
  ])('%s', (_name, source, expected) => {
    expect(summarize(source)).toEqual(expected);
  });

  it('records every site with 1-based line and column', () => {
    const result = inspectAuthority('const fs = require("fs");\n\n  fs.readFile(a);\nfs.readFile(b);', '/x.js');
    expect(result.builtin.get('fs.readFile')).toEqual([
      { line: 3, column: 3 },
      { line: 4, column: 1 },
    ]);
  });

  it('reports a file it cannot parse instead of throwing', () => {
    const result = inspectAuthority('const = ;', '/broken.js');
    expect(result.unresolved).toHaveLength(1);
    expect(result.unresolved[0].reason).toMatch(/^cannot be parsed/);
  });

  it('parses TypeScript files by extension', () => {
    expect(inspectAuthority('const x: number = process.pid as number;', '/a.ts').globals.has('process.pid')).toBe(true);
  });

  it('never reads a babel config from the package folder', () => {
    // A babel.config.js next to the file would run arbitrary code at parse time if Babel loaded it.
    expect(() => inspectAuthority('process.pid', '/work/main/test/fixtures/policy-app/node_modules/babel-config-trap/index.js')).not.toThrow();
  });
});
