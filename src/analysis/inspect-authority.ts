// inspectAuthority: what one dependency module asks of the host (globals, builtins, packages, native addons), found by Babel scope analysis.
//
// Every free identifier and every builtin import is a "source" of authority. Its value is followed
// through the code: member reads extend its path (`process` -> `process.env`), aliases
// (`const p = process`) and destructuring (`const { env } = process`) are followed through their
// bindings, and wherever the value goes somewhere the analysis cannot see (an argument, a return
// value, a computed member) the path it has reached so far is granted whole. Following is sound in
// one direction only: it may grant more than a package uses, never less than the code shows.
// What cannot be followed at all (a computed `require(x)`, `globalThis[name]`, `import(expr)`) is
// reported, never guessed.

import { parseSync, type ParserOptions } from '@babel/core';
import traverseModule, { type Binding, type NodePath } from '@babel/traverse';
import type * as t from '@babel/types';
import { GLOBAL_OBJECT_NAMES, LANGUAGE_GLOBALS } from './language-globals.js';
import { builtinModuleName, capBuiltinPath, capGlobalPath, isBuiltinDoor, isGlobalDoor, MODULE_SYSTEM_DOORS } from './permission-paths.js';

// @babel/traverse is CommonJS: under Node's ESM interop its default export is the module object.
const traverse = ((traverseModule as unknown as { default?: unknown }).default ?? traverseModule) as typeof traverseModule.default;

/** A position in the module, 1-based line and column. */
export interface Site {
  line: number;
  column: number;
}

export interface GlobalUse {
  /** The global is assigned (or a member of it is): the grant is `"write"`. */
  write: boolean;
  sites: Site[];
}

export type DoorKind = 'global' | 'builtin' | 'module';

/** A hidden door the module asks for: reported, never granted by generation. */
export interface DoorUse {
  kind: DoorKind;
  /** `process.binding`, `vm.runInNewContext`, `require.cache`. */
  permission: string;
  site: Site;
}

/** Code the analysis cannot follow: reported with where it is and what it looks like. */
export interface UnresolvedUse {
  reason: string;
  /** The code, shortened to one line. */
  code: string;
  site: Site;
}

export interface ModuleAuthority {
  /** Global paths as granted (`process.env`); language globals excluded. */
  globals: Map<string, GlobalUse>;
  /** Builtin paths as granted (`fs.readFile`, `node:test`). */
  builtin: Map<string, Site[]>;
  /** Non-builtin specifiers this module requires or imports, for the caller to resolve. */
  imports: { specifier: string; site: Site }[];
  /**
   * Non-builtin specifiers whose exports this module changes (`require('x').y = v`,
   * `import { o } from 'x'; o.k = v`): the sandbox hands out read-only views, so these need `"write"`.
   */
  exportWrites: { specifier: string; site: Site }[];
  doors: DoorUse[];
  unresolved: UnresolvedUse[];
}

type Source =
  | { kind: 'global'; path: string[] }
  | { kind: 'builtin'; module: string; path: string[]; skipDefault: boolean; promise: boolean }
  | { kind: 'package'; specifier: string; path: string[]; skipDefault: boolean }
  | { kind: 'require' }
  | { kind: 'module' };

/** CommonJS names the module wrapper provides: no grant, and nothing to follow. */
const MODULE_SCOPE_NAMES: ReadonlySet<string> = new Set(['exports', '__filename', '__dirname', 'arguments']);

/**
 * Interop helpers compilers wrap around `require` (Babel, TypeScript, SWC, esbuild). Their result is
 * the module itself, with `.default` meaning the whole module, so `_fs.default.readFile` is still
 * `fs.readFile` instead of a whole-`fs` grant for every transpiled package.
 */
const INTEROP_HELPERS: ReadonlySet<string> = new Set([
  '_interopRequireDefault',
  '_interopRequireWildcard',
  '_interop_require_default',
  '_interop_require_wildcard',
  'interopRequireDefault',
  'interopRequireWildcard',
  '__importDefault',
  '__importStar',
  '__toESM',
  '__toCommonJS',
]);

/** `Error.prepareStackTrace = fn`: the one language-global member that needs the host's object. */
const HOST_ERROR_PATH = ['Error', 'prepareStackTrace'];

/** What one segment of a policy path may be (schema/policy.schema.json: globalPath, builtinPath). */
const POLICY_SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `fn.call(...)`, `fn.apply(...)`, `fn.bind(...)` use `fn`, not a member of it named "call". */
const FUNCTION_CALLERS: ReadonlySet<string> = new Set(['call', 'apply', 'bind']);

const FLOW_THROUGH: ReadonlySet<string> = new Set([
  'ParenthesizedExpression',
  'TSAsExpression',
  'TSSatisfiesExpression',
  'TSNonNullExpression',
  'TSTypeAssertion',
  'TypeCastExpression',
]);

function parserPlugins(file: string): ParserOptions['plugins'] {
  if (/\.[cm]?tsx$/.test(file)) return ['typescript', 'jsx'];
  if (/\.[cm]?ts$/.test(file)) return ['typescript'];
  if (/\.jsx$/.test(file)) return ['jsx'];
  return [];
}

/**
 * Inspects one module's source. Never throws on bad input: a file Babel cannot parse is reported in
 * `unresolved`, so one broken file never hides what the rest of the app needs.
 */
export function inspectAuthority(source: string, file: string): ModuleAuthority {
  const result: ModuleAuthority = { globals: new Map(), builtin: new Map(), imports: [], exportWrites: [], doors: [], unresolved: [] };
  let ast: t.File | null;
  try {
    ast = parseSync(source, {
      filename: file,
      // Project configuration must never run: configFile/babelrc false keeps Babel from loading
      // (and executing) a babel.config.js found in a dependency's folder.
      configFile: false,
      babelrc: false,
      browserslistConfigFile: false,
      sourceType: 'unambiguous',
      parserOpts: { allowReturnOutsideFunction: true, errorRecovery: true, plugins: parserPlugins(file) },
    }) as t.File | null;
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    result.unresolved.push({
      reason: `cannot be parsed (${String((error as Error).message).split('\n')[0]}); nothing in it was analyzed`,
      code: '',
      site: { line: loc?.line ?? 1, column: (loc?.column ?? 0) + 1 },
    });
    return result;
  }
  if (!ast) return result;
  try {
    new Inspector(source, result).run(ast);
  } catch (error) {
    // Babel's scope builder rejects some code engines accept (a `let` redeclaring a sloppy `var`).
    result.unresolved.push({ reason: `cannot be analyzed (${String((error as Error).message).split('\n')[0]}); what was found before the failure is kept`, code: '', site: { line: 1, column: 1 } });
  } finally {
    // Babel caches paths per node across runs; a long generation over thousands of files would keep every AST alive.
    traverse.cache.clear();
  }
  return result;
}

function siteOf(node: t.Node): Site {
  return { line: node.loc?.start.line ?? 1, column: (node.loc?.start.column ?? 0) + 1 };
}

/** The string a specifier argument spells: a string literal, or a template without expressions. */
function staticString(node: t.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'StringLiteral') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked ?? undefined;
  return undefined;
}

/** The property name of `a.b`, `a['b']`, `a[\`b\`]`; undefined when computed. */
function staticMemberKey(node: t.MemberExpression | t.OptionalMemberExpression): string | undefined {
  if (!node.computed) return node.property.type === 'Identifier' ? node.property.name : undefined;
  if (node.property.type === 'NumericLiteral') return String(node.property.value);
  return staticString(node.property);
}

/** The key of a destructuring property when it is static. */
function staticPropertyKey(node: t.ObjectProperty): string | undefined {
  if (!node.computed) {
    if (node.key.type === 'Identifier') return node.key.name;
    if (node.key.type === 'StringLiteral') return node.key.value;
    if (node.key.type === 'NumericLiteral') return String(node.key.value);
    return undefined;
  }
  return staticString(node.key);
}

function calleeName(callee: t.Node): string | undefined {
  if (callee.type === 'Identifier') return callee.name;
  if ((callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') && !callee.computed && callee.property.type === 'Identifier') {
    return callee.property.name;
  }
  // `(0, _interop.default)(...)`
  if (callee.type === 'SequenceExpression') return calleeName(callee.expressions[callee.expressions.length - 1]);
  return undefined;
}

/** A free identifier that is assigned rather than read: `x = 1`, `[x] = a`, `({ x } = o)`, `for (x in o)`. */
function isWriteTarget(path: NodePath): boolean {
  let current: NodePath = path;
  for (;;) {
    const parent = current.parentPath;
    if (!parent) return false;
    const node = parent.node;
    switch (node.type) {
      case 'AssignmentExpression':
        return node.left === current.node;
      case 'ForInStatement':
      case 'ForOfStatement':
        return node.left === current.node;
      case 'AssignmentPattern':
        if (node.left !== current.node) return false;
        break;
      case 'ObjectProperty':
        if (node.value !== current.node || parent.parentPath?.node.type !== 'ObjectPattern') return false;
        current = parent.parentPath;
        continue;
      case 'ArrayPattern':
      case 'RestElement':
      case 'ObjectPattern':
        break;
      default:
        return false;
    }
    current = parent;
  }
}

class Inspector {
  /** Bindings already followed, per source: aliases that refer to each other must not loop. */
  private readonly followed = new Map<Binding, Set<string>>();

  constructor(
    private readonly source: string,
    private readonly result: ModuleAuthority,
  ) {}

  run(ast: t.File): void {
    traverse(ast, {
      Identifier: (path) => this.identifier(path),
      ImportDeclaration: (path) => this.importDeclaration(path),
      ExportNamedDeclaration: (path) => {
        if (path.node.source) this.reexport(path.node.source.value, path.node.specifiers, path.node);
      },
      ExportAllDeclaration: (path) => this.reexport(path.node.source.value, undefined, path.node),
      CallExpression: (path) => {
        if (path.node.callee.type === 'Import') this.dynamicImport(path, path.node.arguments[0]);
      },
      ImportExpression: (path) => this.dynamicImport(path, path.node.source),
    });
  }

  private identifier(path: NodePath<t.Identifier>): void {
    const node = path.node;
    const name = node.name;
    const referenced: boolean = (path as NodePath).isReferencedIdentifier();
    if (!referenced && !isWriteTarget(path)) return;
    if (path.scope.getBinding(name)) return;
    if (MODULE_SCOPE_NAMES.has(name)) return;
    if (!referenced) {
      // `x = 1` on an undeclared name assigns the global (sloppy code).
      if (name === 'require' || name === 'module' || LANGUAGE_GLOBALS.has(name)) return;
      this.recordGlobal([name], true, node);
      return;
    }
    if (name === 'require') return this.follow(path, { kind: 'require' });
    if (name === 'module') return this.follow(path, { kind: 'module' });
    if (GLOBAL_OBJECT_NAMES.has(name)) return this.follow(path, { kind: 'global', path: [] });
    if (name === HOST_ERROR_PATH[0]) return this.follow(path, { kind: 'global', path: [name] });
    if (LANGUAGE_GLOBALS.has(name)) return;
    this.follow(path, { kind: 'global', path: [name] });
  }

  /**
   * `import ... from 'x'`: each binding is followed like `require('x')` would be. An import nobody
   * reads needs no grant (`unusedImport`): the sandbox's gate for an ES import only throws on first use.
   */
  private importDeclaration(path: NodePath<t.ImportDeclaration>): void {
    const node = path.node;
    if (node.importKind === 'type' || node.importKind === 'typeof') return;
    const specifier = node.source.value;
    const module = builtinModuleName(specifier);
    if (module === undefined) this.result.imports.push({ specifier, site: siteOf(node) });
    for (const imported of node.specifiers) {
      if (imported.type === 'ImportSpecifier' && imported.importKind === 'type') continue;
      const binding = path.scope.getBinding(imported.local.name);
      if (!binding) continue;
      const name = imported.type === 'ImportSpecifier' ? (imported.imported.type === 'Identifier' ? imported.imported.name : imported.imported.value) : undefined;
      // A default import is the whole CommonJS exports; a namespace's `.default` is too.
      const memberPath = name === undefined || name === 'default' ? [] : [name];
      const skipDefault = imported.type === 'ImportNamespaceSpecifier';
      const source: Source =
        module === undefined ? { kind: 'package', specifier, path: memberPath, skipDefault } : { kind: 'builtin', module, path: memberPath, skipDefault, promise: false };
      this.followBinding(binding, source, imported, true);
    }
  }

  private reexport(specifier: string, specifiers: t.ExportNamedDeclaration['specifiers'] | undefined, node: t.Node): void {
    const module = builtinModuleName(specifier);
    if (module === undefined) {
      this.result.imports.push({ specifier, site: siteOf(node) });
      return;
    }
    if (!specifiers) return this.recordBuiltin(module, [], node);
    for (const spec of specifiers) {
      const name = spec.type === 'ExportSpecifier' && spec.local.type === 'Identifier' ? spec.local.name : undefined;
      this.recordBuiltin(module, name === undefined || name === 'default' ? [] : [name], spec);
    }
  }

  private dynamicImport(path: NodePath, argument: t.Node | undefined): void {
    const specifier = staticString(argument);
    if (specifier === undefined) {
      this.unresolved('import() of a computed specifier: what it loads is not known', path.node);
      return;
    }
    const module = builtinModuleName(specifier);
    if (module === undefined) {
      this.result.imports.push({ specifier, site: siteOf(path.node) });
      return;
    }
    // The namespace arrives through a promise: `await` unwraps it, anything else uses it whole.
    this.follow(path, { kind: 'builtin', module, path: [], skipDefault: true, promise: true });
  }

  /** A literal `require('x')`: a builtin is followed like any other source, anything else resolved later. */
  private requireCall(call: NodePath<t.CallExpression>): void {
    const argument = call.node.arguments[0];
    if (argument === undefined) return;
    const specifier = staticString(argument);
    if (specifier === undefined) {
      this.unresolved('require() of a computed specifier: what it loads is not known', call.node);
      return;
    }
    const module = builtinModuleName(specifier);
    if (module === undefined) {
      this.result.imports.push({ specifier, site: siteOf(call.node) });
      this.follow(call, { kind: 'package', specifier, path: [], skipDefault: false });
      return;
    }
    const before = this.countBuiltin(module);
    this.follow(call, { kind: 'builtin', module, path: [], skipDefault: false, promise: false });
    // The sandbox refuses a CommonJS require of a builtin the package has no grant for at all, so a
    // require whose value is never used (a leftover, a side-effect import) needs the module to load.
    if (this.countBuiltin(module) === before && !this.result.doors.some((door) => door.kind === 'builtin' && door.permission.split('.')[0] === module)) {
      this.recordBuiltin(module, [], call.node);
    }
  }

  private countBuiltin(module: string): number {
    let count = 0;
    for (const [key, sites] of this.result.builtin) if (key === module || key.startsWith(`${module}.`)) count += sites.length;
    return count;
  }

  /**
   * Follows the value of the expression at `start` (which is `source`) up through its parents until
   * it is used, then records what it was used as.
   */
  private follow(start: NodePath, source: Source): void {
    let current: NodePath = start;
    let value: Source = source;
    for (;;) {
      const parent = current.parentPath;
      if (!parent) return this.use(value, current.node);
      const node = current.node;
      const p = parent.node;
      if (FLOW_THROUGH.has(p.type)) {
        current = parent;
        continue;
      }
      switch (p.type) {
        case 'AwaitExpression':
          if (value.kind === 'builtin' && value.promise) value = { ...value, promise: false };
          current = parent;
          continue;
        case 'SequenceExpression':
          if (p.expressions[p.expressions.length - 1] !== node) return this.discard(value, node);
          current = parent;
          continue;
        case 'LogicalExpression':
          // `x && y` passes x on only when falsy: x itself is just tested.
          if (p.left === node && p.operator === '&&') return this.test(value, node);
          current = parent;
          continue;
        case 'ConditionalExpression':
          if (p.test === node) return this.test(value, node);
          current = parent;
          continue;
        case 'MemberExpression':
        case 'OptionalMemberExpression': {
          if (p.object !== node) return this.use(value, node);
          const key = staticMemberKey(p);
          if (key === undefined && value.kind === 'package') {
            // `exports[name] = v` changes the exports as much as `exports.x = v` does.
            value = { ...value, path: ['*'], skipDefault: false };
            current = parent;
            continue;
          }
          if (key === undefined) return this.computedMember(value, p);
          if (value.kind === 'builtin' && value.promise) return this.use(value, node);
          const grand = parent.parentPath?.node;
          if (FUNCTION_CALLERS.has(key) && grand && (grand.type === 'CallExpression' || grand.type === 'OptionalCallExpression') && grand.callee === p && value.kind !== 'require') {
            return this.use(value, node);
          }
          const next = this.member(value, key, p);
          if (next === undefined) return;
          value = next;
          current = parent;
          continue;
        }
        case 'CallExpression':
        case 'OptionalCallExpression':
          if (p.callee === node) {
            if (value.kind === 'require') {
              if (p.type === 'CallExpression') this.requireCall(parent as NodePath<t.CallExpression>);
              else this.unresolved('optional call of require: what it loads is not known', p);
              return;
            }
            return this.use(value, node);
          }
          if ((value.kind === 'builtin' || value.kind === 'package') && p.arguments[0] === node && INTEROP_HELPERS.has(calleeName(p.callee) ?? '')) {
            value = { ...value, skipDefault: true };
            current = parent;
            continue;
          }
          return this.use(value, node);
        case 'UnaryExpression':
          if (p.operator === 'typeof' || p.operator === '!') return this.test(value, node);
          if (p.operator === 'void') return;
          if (p.operator === 'delete') return this.write(value, node);
          return this.use(value, node);
        case 'BinaryExpression':
          if (p.operator === 'instanceof' || !['===', '!==', '==', '!=', 'in'].includes(p.operator)) return this.use(value, node);
          return this.test(value, node);
        case 'IfStatement':
        case 'WhileStatement':
        case 'DoWhileStatement':
        case 'ForStatement':
          if ((p as { test?: t.Node | null }).test === node) return this.test(value, node);
          return this.use(value, node);
        case 'UpdateExpression':
          return this.write(value, node);
        case 'AssignmentExpression':
          if (p.left === node) return this.write(value, node);
          return this.assignTo(parent.get('left') as NodePath, value, node);
        case 'VariableDeclarator':
          if (p.init !== node) return this.use(value, node);
          return this.assignTo(parent.get('id') as NodePath, value, node);
        case 'ExpressionStatement':
          return this.discard(value, node);
        default:
          return this.use(value, node);
      }
    }
  }

  /** One member step: `source.key`. Undefined when the step ends the walk (something was recorded, or nothing is needed). */
  private member(value: Source, key: string, node: t.Node): Source | undefined {
    if (!POLICY_SEGMENT.test(key) && (value.kind === 'global' || value.kind === 'builtin')) {
      // A policy path is identifiers joined by dots: `x['a-b']` cannot be spelled, so the path stops at `x`.
      if (value.kind === 'global' && value.path.length === 0) this.unresolved('a global whose name a policy cannot spell (not an identifier)', node);
      else this.use(value, node);
      return undefined;
    }
    switch (value.kind) {
      case 'require':
      case 'module': {
        const permission = `${value.kind}.${key}`;
        if (MODULE_SYSTEM_DOORS.has(permission)) this.result.doors.push({ kind: 'module', permission, site: siteOf(node) });
        else if (value.kind === 'require' && FUNCTION_CALLERS.has(key)) this.unresolved('require is called indirectly: what it loads is not known', node);
        // require.resolve and module.exports/id/... reach no authority.
        return undefined;
      }
      case 'package':
        if (value.skipDefault && value.path.length === 0 && key === 'default') return { ...value, skipDefault: false };
        // Only whether a write happens matters, not where: one level is enough, and ends alias loops.
        if (value.path.length >= 1) return value;
        return { ...value, path: [key], skipDefault: false };
      case 'builtin':
        if (value.skipDefault && value.path.length === 0 && key === 'default') return { ...value, skipDefault: false };
        // Paths stop growing past what a grant can name (capBuiltinPath): this also ends alias loops such as `x = x.next`.
        if (value.path.length >= 2) return value;
        return { ...value, path: [...value.path, key], skipDefault: false };
      case 'global':
        // `globalThis.global.x` is still the global `x`.
        if (value.path.length === 0 && GLOBAL_OBJECT_NAMES.has(key)) return value;
        if (value.path.length === 0 && LANGUAGE_GLOBALS.has(key) && key !== HOST_ERROR_PATH[0]) return undefined;
        if (value.path.length >= 2) return value;
        return { kind: 'global', path: [...value.path, key] };
    }
  }

  /** `target = value` or `const target = value`: follow an alias, destructure a pattern, or let the value escape. */
  private assignTo(target: NodePath, value: Source, valueNode: t.Node): void {
    const node = target.node;
    if (node.type === 'Identifier') {
      const binding = target.scope.getBinding(node.name);
      if (!binding) return this.use(value, valueNode);
      return this.followBinding(binding, value, node);
    }
    if (node.type === 'ObjectPattern') return this.destructure(target as NodePath<t.ObjectPattern>, value);
    if (node.type === 'AssignmentPattern') return this.assignTo(target.get('left') as NodePath, value, valueNode);
    // Array patterns, member targets (`module.exports = fs`, `this.fs = fs`): the value escapes.
    this.use(value, valueNode);
  }

  private destructure(pattern: NodePath<t.ObjectPattern>, value: Source): void {
    for (const property of pattern.get('properties')) {
      if (property.node.type === 'RestElement') {
        this.use(value, property.node);
        continue;
      }
      const key = staticPropertyKey(property.node as t.ObjectProperty);
      if (key === undefined) {
        this.computedMember(value, property.node);
        continue;
      }
      if (value.kind === 'builtin' && value.promise) {
        this.use(value, property.node);
        continue;
      }
      const next = this.member(value, key, property.node);
      if (next !== undefined) this.assignTo((property as NodePath<t.ObjectProperty>).get('value') as NodePath, next, property.node);
    }
  }

  /**
   * Follows every read of an alias. A binding nobody reads still cost a read when it was made from a
   * member (`const { env } = process` reads `process.env`, and throws without it), so that read is
   * used; an ES import binding nobody reads needs nothing (`unusedImport`), as the sandbox only
   * refuses an import on first use.
   */
  private followBinding(binding: Binding, value: Source, node: t.Node, unusedImport = false): void {
    const key = JSON.stringify(value);
    let seen = this.followed.get(binding);
    if (!seen) this.followed.set(binding, (seen = new Set()));
    if (seen.has(key)) return;
    seen.add(key);
    if (binding.referencePaths.length === 0 && !unusedImport) {
      // A bare alias (`const p = process`, `const fs = require('fs')`) read nothing yet.
      const memberRead = value.kind === 'global' ? value.path.length >= 2 : value.kind === 'builtin' && value.path.length >= 1;
      if (memberRead) this.use(value, node);
      return;
    }
    for (const reference of binding.referencePaths) this.follow(reference, value);
  }

  /** The value goes somewhere the analysis cannot see: grant the path reached so far, whole. */
  private use(value: Source, node: t.Node): void {
    switch (value.kind) {
      case 'global':
        if (value.path.length === 0) return this.unresolved('the global object is passed on: which globals are read from it is not known', node);
        return this.recordGlobal(value.path, false, node);
      case 'builtin':
        return this.recordBuiltin(value.module, value.path, node);
      case 'require':
        return this.unresolved('require is used as a value: what it loads is not known', node);
      case 'module':
      case 'package':
        // Using another package's exports needs only the packages grant, recorded with the import.
        return;
    }
  }

  /** A computed member (`x[name]`): the object is used whole; on the global object or require nothing is known. */
  private computedMember(value: Source, node: t.Node): void {
    if (value.kind === 'global' && value.path.length === 0) return this.unresolved('a global is read by a computed name: which one is not known', node);
    if (value.kind === 'require' || value.kind === 'module') return this.unresolved(`${value.kind} is read by a computed name: what it reaches is not known`, node);
    if (value.kind === 'package') return;
    this.use(value, node);
  }

  /**
   * Tested, not used: `typeof x`, `if (x)`, `x && ...`, `x === y`. A bare global (`typeof window`)
   * or the global object tested for presence needs no grant: without one the test sees `undefined`,
   * exactly as on a host that lacks it. A member (`typeof process.env.X`) is read, so it is used.
   */
  private test(value: Source, node: t.Node): void {
    if (value.kind === 'global' && value.path.length <= 1) return;
    if (value.kind === 'builtin' && value.path.length === 0) return;
    if (value.kind === 'require' || value.kind === 'module' || value.kind === 'package') return;
    this.use(value, node);
  }

  /** The value is computed and thrown away (`process.env.X;`): reading it may have effects, so it is used. */
  private discard(value: Source, node: t.Node): void {
    if (value.kind === 'global' && value.path.length === 0) return;
    if (value.kind === 'require' || value.kind === 'module' || value.kind === 'package') return;
    this.use(value, node);
  }

  private write(value: Source, node: t.Node): void {
    if (value.kind === 'global') {
      if (value.path.length > 0) this.recordGlobal(value.path, true, node);
      return;
    }
    if (value.kind === 'package') {
      // Assigning the binding itself (`x = other`) changes nothing of the package; a member of it does.
      if (value.path.length > 0) this.result.exportWrites.push({ specifier: value.specifier, site: siteOf(node) });
      return;
    }
    // Builtin members cannot be granted for writing: the package still needs to read them.
    this.use(value, node);
  }

  private recordGlobal(path: string[], write: boolean, node: t.Node): void {
    if (write && path[0] === HOST_ERROR_PATH[0] && path[1] === HOST_ERROR_PATH[1]) {
      // The compartment's Error ignores prepareStackTrace (stacks stay strings), which breaks packages
      // that read call sites (depd, used by express). Only the host Error gives structured frames: it is
      // granted whole, read-only (the setter is per realm, not a shared global write), and marked dangerous.
      path = [HOST_ERROR_PATH[0]];
      write = false;
    } else if (LANGUAGE_GLOBALS.has(path[0])) {
      return;
    }
    if (!POLICY_SEGMENT.test(path[0])) return this.unresolved('a global whose name a policy cannot spell (not an ASCII identifier)', node);
    const key = capGlobalPath(path);
    if (isGlobalDoor(key)) {
      this.result.doors.push({ kind: 'global', permission: key, site: siteOf(node) });
      return;
    }
    const entry = this.result.globals.get(key);
    if (entry) {
      entry.write ||= write;
      entry.sites.push(siteOf(node));
    } else {
      this.result.globals.set(key, { write, sites: [siteOf(node)] });
    }
  }

  private recordBuiltin(module: string, members: string[], node: t.Node): void {
    const key = capBuiltinPath(module, members);
    if (isBuiltinDoor(key)) {
      this.result.doors.push({ kind: 'builtin', permission: key, site: siteOf(node) });
      return;
    }
    const sites = this.result.builtin.get(key);
    if (sites) sites.push(siteOf(node));
    else this.result.builtin.set(key, [siteOf(node)]);
  }

  private unresolved(reason: string, node: t.Node): void {
    const code = this.source.slice(node.start ?? 0, node.end ?? 0).replace(/\s+/g, ' ');
    this.result.unresolved.push({ reason, code: code.length > 80 ? `${code.slice(0, 77)}...` : code, site: siteOf(node) });
  }
}
