// One walk over an ESTree Program (meriyah's or acorn's): scopes, references, and the module facts that ride along (requires, imports, import.meta).
//
// Why hand-written: DESIGN.md section 6 measured Babel's scope.globals at 4x the whole esbuild
// build; a plain switch over node types costs a fraction of acorn's parse (scripts/time-inspect.js).
// Resolution without a separate declaration pass: declarations are registered into their scope as
// the walk meets them. A reference whose name is already declared in an enclosing scope is bound
// for good (later declarations only add names); any other reference remembers its scope and is
// resolved after the walk, when every scope is complete. That covers hoisting (var, function) and
// TDZ (a use before `let`) while allocating nothing for the common, already-bound reference.
//
// Security note: a name wrongly judged "bound" is never given a sandboxed binding and reaches the
// real global at run time. Where the language is subtle (parameter defaults cannot see the body's
// vars, a catch parameter's defaults cannot see the catch body, `for ([x] of o)` assigns `x`), this
// walker follows the spec even where Babel is looser: being wrong must only ever err towards "free".

import type {
  ArrowFunctionExpression,
  CallExpression,
  ClassDeclaration,
  ClassExpression,
  Expression,
  FunctionDeclaration,
  FunctionExpression,
  Identifier,
  Literal,
  ModuleDeclaration,
  Node,
  Pattern,
  Program,
  Statement,
  SwitchCase,
  TemplateLiteral,
  VariableDeclaration,
  AnonymousClassDeclaration,
  AnonymousFunctionDeclaration,
  PrivateIdentifier,
  Super,
  SpreadElement,
} from 'acorn';
import type { DynamicImport, RequireCall, Span, StaticImport } from './inspect-module.js';

/** A statement, expression or pattern of a type this walker does not handle (a parser newer than the walker). */
export class UnknownNodeError extends Error {
  constructor(readonly node: { type: string; start: number }) {
    super(`no scope rule for a ${node.type} node`);
    this.name = 'UnknownNodeError';
  }
}

/** Reference flags, combined in {@link RawReference.flags}. */
export const READ = 1;
export const WRITE = 2;
/** The identifier is a shorthand property (`{x}`, `({x} = o)`): a rewrite must spell out `x: <expr>`. */
export const SHORTHAND = 4;
/** The `require` callee of a literal `require('x')` call (only kept in the result if `require` is free). */
export const REQUIRE_CALLEE = 8;

/** A free identifier occurrence, in source order. */
export interface RawReference {
  name: string;
  start: number;
  end: number;
  flags: number;
}

export interface ReferenceScan {
  /** Free references only, in source order. */
  free: RawReference[];
  requireCalls: RequireCall[];
  dynamicImports: DynamicImport[];
  importMetas: Span[];
  staticImports: StaticImport[];
  /** Every regular expression literal, in source order. */
  regExpLiterals: Span[];
}

/**
 * A lexical environment. `varScope` is where a `var` inside it lands: itself for a function's
 * parameters/body, a static block and the module; the enclosing one's for blocks, for-heads,
 * catch clauses and class-name scopes.
 */
class Scope {
  readonly names = new Set<string>();
  readonly varScope: Scope;
  constructor(readonly parent: Scope | null, isVarScope: boolean) {
    this.varScope = isVarScope || parent === null ? this : parent.varScope;
  }
}

/** A reference not resolved when the walk met it: it remembers the scope it occurs in. */
interface PendingReference extends RawReference {
  scope: Scope;
  /** Set by the final resolution. */
  bound: boolean;
}

interface RequireCandidate extends RequireCall {
  /** The callee's pending reference; undefined when `require` was already bound where the call is. */
  ref: PendingReference | undefined;
}

type AnyFunction = FunctionDeclaration | FunctionExpression | ArrowFunctionExpression | AnonymousFunctionDeclaration;
type AnyClass = ClassDeclaration | ClassExpression | AnonymousClassDeclaration;

/** Walks `program` (parsed as a module) once and returns its free references and module facts. */
export function findReferences(program: Program): ReferenceScan {
  const walker = new Walker();
  walker.statements(program.body);

  // Deferred half of resolution: only references still unresolved when the walk met them (free
  // so far, or naming something hoisted from further down) are left; every scope is complete now.
  const free: RawReference[] = [];
  const declared = walker.declared;
  for (const ref of walker.pending) {
    const name = ref.name;
    let scope: Scope | null = null;
    if (declared.has(name)) {
      scope = ref.scope;
      while (scope !== null && !scope.names.has(name)) scope = scope.parent;
    }
    if (scope === null) free.push(ref);
    else ref.bound = true;
  }

  // A literal require whose `require` is bound locally (a parameter, `const require = ...`) is an
  // ordinary call: the bundler will not link it, so neither do we. (A bound callee's
  // REQUIRE_CALLEE flag never surfaces: only free references are returned.)
  const requireCalls: RequireCall[] = [];
  for (const candidate of walker.requireCandidates) {
    if (candidate.ref !== undefined && !candidate.ref.bound) {
      requireCalls.push({ start: candidate.start, end: candidate.end, specifier: candidate.specifier, source: candidate.source });
    }
  }

  return {
    free,
    requireCalls,
    dynamicImports: walker.dynamicImports,
    importMetas: walker.importMetas,
    staticImports: walker.staticImports,
    regExpLiterals: walker.regExpLiterals,
  };
}

/** The source span of a node (a specifier literal: the wrapper may rewrite it). */
function spanOf(node: Node): Span {
  return { start: node.start, end: node.end };
}

/** The string value of a string literal or an expression-less template, else undefined. */
function staticString(node: Node): string | undefined {
  if (node.type === 'Literal') {
    const value = (node as Literal).value;
    return typeof value === 'string' ? value : undefined;
  }
  if (node.type === 'TemplateLiteral') {
    const template = node as TemplateLiteral;
    if (template.expressions.length === 0) return template.quasis[0].value.cooked ?? undefined;
  }
  return undefined;
}

/** Does this statement list declare anything block-scoped? If not, the block needs no scope of its own. */
function hasLexicalDeclaration(body: readonly Node[]): boolean {
  for (const statement of body) {
    const type = statement.type;
    if (
      type === 'FunctionDeclaration' ||
      type === 'ClassDeclaration' ||
      (type === 'VariableDeclaration' && (statement as VariableDeclaration).kind !== 'var')
    ) {
      return true;
    }
  }
  return false;
}

function moduleName(node: Identifier | Literal): string {
  return node.type === 'Identifier' ? node.name : String(node.value);
}

class Walker {
  scope = new Scope(null, true);
  /** References not yet resolved when met, in source order. */
  readonly pending: PendingReference[] = [];
  readonly requireCandidates: RequireCandidate[] = [];
  readonly dynamicImports: DynamicImport[] = [];
  readonly importMetas: Span[] = [];
  readonly regExpLiterals: Span[] = [];
  readonly staticImports: StaticImport[] = [];

  /** Every name declared anywhere in the module: a reference to any other name is free without a scope walk. */
  readonly declared = new Set<string>();

  private declare(scope: Scope, name: string): void {
    scope.names.add(name);
    this.declared.add(name);
  }

  /**
   * Records a reference. Resolution is tried at once: a declaration met later can only add names
   * (never remove them), so a name bound now stays bound and needs no record. The rest wait for
   * the end of the walk. Returns the pending record, or undefined when already bound.
   */
  private ref(node: Identifier, flags: number): PendingReference | undefined {
    const name = node.name;
    if (this.declared.has(name)) {
      for (let scope: Scope | null = this.scope; scope !== null; scope = scope.parent) {
        if (scope.names.has(name)) return undefined;
      }
    }
    const ref: PendingReference = { name, start: node.start, end: node.end, flags, scope: this.scope, bound: false };
    this.pending.push(ref);
    return ref;
  }

  statements(body: ReadonlyArray<Statement | ModuleDeclaration>): void {
    for (let i = 0; i < body.length; i++) this.statement(body[i]);
  }

  /** A block body: a scope of its own only when it declares something block-scoped (most blocks do not). */
  private block(body: Statement[]): void {
    if (!hasLexicalDeclaration(body)) {
      this.statements(body);
      return;
    }
    const outer = this.scope;
    this.scope = new Scope(outer, false);
    this.statements(body);
    this.scope = outer;
  }

  private statement(node: Statement | ModuleDeclaration): void {
    switch (node.type) {
      case 'ExpressionStatement':
        this.expression(node.expression);
        return;
      case 'BlockStatement':
        this.block(node.body);
        return;
      case 'VariableDeclaration':
        this.variableDeclaration(node);
        return;
      case 'FunctionDeclaration':
        // Strict code: a function declaration is block-scoped (at the top of a function body or the
        // module, the "block" is that body, so it also behaves as hoisted there).
        if (node.id) this.declare(this.scope, node.id.name);
        this.fn(node, false);
        return;
      case 'ClassDeclaration':
        if (node.id) this.declare(this.scope, node.id.name);
        this.cls(node);
        return;
      case 'ReturnStatement':
      case 'ThrowStatement':
        if (node.argument) this.expression(node.argument);
        return;
      case 'IfStatement':
        this.expression(node.test);
        this.statement(node.consequent);
        if (node.alternate) this.statement(node.alternate);
        return;
      case 'ForStatement': {
        const outer = this.scope;
        const init = node.init;
        // `for (let i ...)`: the head gets its own scope, which the body's references see.
        if (init && init.type === 'VariableDeclaration' && init.kind !== 'var') this.scope = new Scope(outer, false);
        if (init) {
          if (init.type === 'VariableDeclaration') this.variableDeclaration(init);
          else this.expression(init);
        }
        if (node.test) this.expression(node.test);
        if (node.update) this.expression(node.update);
        this.statement(node.body);
        this.scope = outer;
        return;
      }
      case 'ForInStatement':
      case 'ForOfStatement': {
        const outer = this.scope;
        const left = node.left;
        if (left.type === 'VariableDeclaration') {
          // `for (const x of x)`: the right side already sees the head's (TDZ) binding, so it is
          // resolved inside the head scope too.
          if (left.kind !== 'var') this.scope = new Scope(outer, false);
          this.variableDeclaration(left);
        } else {
          this.target(left, WRITE);
        }
        this.expression(node.right);
        this.statement(node.body);
        this.scope = outer;
        return;
      }
      case 'WhileStatement':
        this.expression(node.test);
        this.statement(node.body);
        return;
      case 'DoWhileStatement':
        this.statement(node.body);
        this.expression(node.test);
        return;
      case 'LabeledStatement':
        // The label is not a reference; only the body is walked.
        this.statement(node.body);
        return;
      case 'SwitchStatement': {
        this.expression(node.discriminant);
        const outer = this.scope;
        // All cases share one block scope.
        if (node.cases.some((c: SwitchCase) => hasLexicalDeclaration(c.consequent))) this.scope = new Scope(outer, false);
        for (const c of node.cases) {
          if (c.test) this.expression(c.test);
          this.statements(c.consequent);
        }
        this.scope = outer;
        return;
      }
      case 'TryStatement': {
        this.block(node.block.body);
        const handler = node.handler;
        if (handler) {
          const outer = this.scope;
          if (handler.param) {
            // The parameter (and its defaults) live in their own scope; the body is a child block.
            this.scope = new Scope(outer, false);
            this.bind(handler.param, this.scope);
          }
          this.block(handler.body.body);
          this.scope = outer;
        }
        if (node.finalizer) this.block(node.finalizer.body);
        return;
      }
      case 'WithStatement':
        // Unreachable: the module-mode (strict) parse rejects `with`. Walked for completeness.
        this.expression(node.object);
        this.statement(node.body);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'EmptyStatement':
      case 'DebuggerStatement':
        return;
      case 'ImportDeclaration': {
        const names: string[] = [];
        for (const specifier of node.specifiers) {
          this.declare(this.scope, specifier.local.name);
          if (specifier.type === 'ImportDefaultSpecifier') names.push('default');
          else if (specifier.type === 'ImportNamespaceSpecifier') names.push('*');
          else names.push(moduleName(specifier.imported));
        }
        this.staticImports.push({ start: node.start, end: node.end, specifier: String(node.source.value), source: spanOf(node.source), names });
        return;
      }
      case 'ExportNamedDeclaration':
        if (node.declaration) {
          this.statement(node.declaration);
        } else if (node.source) {
          // Re-exports bind nothing locally and reference nothing: `local` names the other module's export.
          const names = node.specifiers.map((specifier) => moduleName(specifier.local));
          this.staticImports.push({ start: node.start, end: node.end, specifier: String(node.source.value), source: spanOf(node.source), names });
        } else {
          // `export { a as b }`: `a` is a reference to a local binding; `b` is just a name.
          for (const specifier of node.specifiers) {
            if (specifier.local.type === 'Identifier') this.ref(specifier.local, READ);
          }
        }
        return;
      case 'ExportDefaultDeclaration': {
        const declaration = node.declaration;
        if (declaration.type === 'FunctionDeclaration') {
          if (declaration.id) this.declare(this.scope, declaration.id.name);
          this.fn(declaration, false);
        } else if (declaration.type === 'ClassDeclaration') {
          if (declaration.id) this.declare(this.scope, declaration.id.name);
          this.cls(declaration);
        } else {
          this.expression(declaration);
        }
        return;
      }
      case 'ExportAllDeclaration':
        this.staticImports.push({ start: node.start, end: node.end, specifier: String(node.source.value), source: spanOf(node.source), names: ['*'] });
        return;
      default:
        throw new UnknownNodeError(node);
    }
  }

  private variableDeclaration(node: VariableDeclaration): void {
    const into = node.kind === 'var' ? this.scope.varScope : this.scope;
    for (const declarator of node.declarations) {
      this.bind(declarator.id, into);
      if (declarator.init) this.expression(declarator.init);
    }
  }

  /**
   * A binding pattern (declaration, parameter, catch parameter): its identifiers are declared in
   * `into`; its defaults and computed keys are ordinary expressions evaluated in the current scope.
   */
  private bind(node: Pattern, into: Scope): void {
    switch (node.type) {
      case 'Identifier':
        this.declare(into, node.name);
        return;
      case 'ObjectPattern':
        for (const property of node.properties) {
          if (property.type === 'RestElement') {
            this.bind(property.argument, into);
          } else {
            if (property.computed) this.expression(property.key);
            this.bind(property.value, into);
          }
        }
        return;
      case 'ArrayPattern':
        for (const element of node.elements) if (element) this.bind(element, into);
        return;
      case 'AssignmentPattern':
        this.bind(node.left, into);
        this.expression(node.right);
        return;
      case 'RestElement':
        this.bind(node.argument, into);
        return;
      case 'MemberExpression':
        // Not a valid binding target; acorn never produces it here.
        this.expression(node);
        return;
      default:
        throw new UnknownNodeError(node);
    }
  }

  /** An assignment target (`=` left side, `for (x of ...)` head): identifiers are written, member targets are walked. */
  private target(node: Pattern, flags: number): void {
    switch (node.type) {
      case 'Identifier':
        this.ref(node, flags);
        return;
      case 'MemberExpression':
        this.expression(node);
        return;
      case 'ObjectPattern':
        for (const property of node.properties) {
          if (property.type === 'RestElement') {
            this.target(property.argument, WRITE);
            continue;
          }
          if (property.computed) this.expression(property.key);
          const value = property.value;
          if (property.shorthand) {
            // `({x} = o)` / `({x = d} = o)`: the identifier doubles as the key.
            if (value.type === 'Identifier') {
              this.ref(value, WRITE | SHORTHAND);
            } else if (value.type === 'AssignmentPattern' && value.left.type === 'Identifier') {
              this.ref(value.left, WRITE | SHORTHAND);
              this.expression(value.right);
            } else {
              this.target(value, WRITE);
            }
          } else {
            this.target(value, WRITE);
          }
        }
        return;
      case 'ArrayPattern':
        for (const element of node.elements) if (element) this.target(element, WRITE);
        return;
      case 'AssignmentPattern':
        this.target(node.left, WRITE);
        this.expression(node.right);
        return;
      case 'RestElement':
        this.target(node.argument, WRITE);
        return;
      default:
        throw new UnknownNodeError(node);
    }
  }

  private fn(node: AnyFunction, arrow: boolean): void {
    const outer = this.scope;
    // The parameter scope. Also the body's var scope when all parameters are plain identifiers:
    // only parameter *expressions* (defaults, computed keys) must not see the body's declarations.
    const params = new Scope(outer, true);
    if (!arrow) this.declare(params, 'arguments');
    // A named function expression's name is visible only inside it (and is shadowed by a
    // parameter or body declaration of the same name, which is bound either way).
    if (node.type === 'FunctionExpression' && node.id) this.declare(params, node.id.name);
    this.scope = params;
    let simple = true;
    for (const param of node.params) {
      if (param.type !== 'Identifier') simple = false;
      this.bind(param, params);
    }
    const body = node.body;
    if (body.type === 'BlockStatement') {
      // `function f(a = x) { var x }`: the default's `x` is the outer one, so the body gets its own scope.
      if (!simple) this.scope = new Scope(params, true);
      this.statements(body.body);
    } else {
      this.expression(body);
    }
    this.scope = outer;
  }

  private cls(node: AnyClass): void {
    const outer = this.scope;
    // A class expression's name is bound only inside the class. (A declaration's name is already
    // bound in the enclosing scope, which the class body sees.)
    if (node.type === 'ClassExpression' && node.id) {
      this.scope = new Scope(outer, false);
      this.declare(this.scope, node.id.name);
    }
    if (node.superClass) this.expression(node.superClass);
    for (const member of node.body.body) {
      if (member.type === 'StaticBlock') {
        // A static block is a var scope of its own (and has no `arguments`).
        const classScope = this.scope;
        this.scope = new Scope(classScope, true);
        this.statements(member.body);
        this.scope = classScope;
        continue;
      }
      if (member.computed) this.expression(member.key as Expression);
      if (member.type === 'MethodDefinition') this.fn(member.value, false);
      else if (member.value) this.expression(member.value);
    }
    this.scope = outer;
  }

  private call(node: CallExpression): void {
    const callee = node.callee;
    const args = node.arguments;
    let specifier: string | undefined;
    // Only the exact shape bundlers link stays free: `require(<one literal>)`, not optional,
    // no spread. Every other `require` use is left for the wrapper to rewrite to the scoped one.
    if (
      callee.type === 'Identifier' &&
      callee.name === 'require' &&
      !node.optional &&
      args.length === 1 &&
      (specifier = staticString(args[0])) !== undefined
    ) {
      const ref = this.ref(callee, READ | REQUIRE_CALLEE);
      this.requireCandidates.push({ start: node.start, end: node.end, specifier, source: spanOf(args[0]!), ref });
      return; // the argument is a literal: nothing to walk
    }
    this.expressionOrSuper(callee);
    this.list(args);
  }

  private expressionOrSuper(node: Expression | Super): void {
    if (node.type !== 'Super') this.expression(node);
  }

  private list(nodes: ReadonlyArray<Expression | SpreadElement | null>): void {
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      if (node === null) continue;
      this.expression(node.type === 'SpreadElement' ? node.argument : node);
    }
  }

  private expression(node: Expression | PrivateIdentifier): void {
    switch (node.type) {
      case 'Identifier':
        this.ref(node, READ);
        return;
      case 'Literal':
        if ((node as Literal & { regex?: unknown }).regex !== undefined) this.regExpLiterals.push(spanOf(node));
        return;
      case 'ThisExpression':
      case 'PrivateIdentifier':
        return;
      case 'ArrayExpression':
        this.list(node.elements);
        return;
      case 'ObjectExpression':
        for (const property of node.properties) {
          if (property.type === 'SpreadElement') {
            this.expression(property.argument);
          } else if (property.shorthand && property.value.type === 'Identifier') {
            this.ref(property.value, READ | SHORTHAND);
          } else {
            if (property.computed) this.expression(property.key);
            this.expression(property.value as Expression);
          }
        }
        return;
      case 'FunctionExpression':
        this.fn(node, false);
        return;
      case 'ArrowFunctionExpression':
        this.fn(node, true);
        return;
      case 'ClassExpression':
        this.cls(node);
        return;
      case 'UnaryExpression':
      case 'AwaitExpression':
        this.expression(node.argument);
        return;
      case 'YieldExpression':
        if (node.argument) this.expression(node.argument);
        return;
      case 'UpdateExpression':
        if (node.argument.type === 'Identifier') this.ref(node.argument, READ | WRITE);
        else this.expression(node.argument);
        return;
      case 'BinaryExpression':
        this.expression(node.left); // may be a PrivateIdentifier (`#x in o`)
        this.expression(node.right);
        return;
      case 'LogicalExpression':
        this.expression(node.left);
        this.expression(node.right);
        return;
      case 'AssignmentExpression':
        if (node.operator === '=') this.target(node.left, WRITE);
        else if (node.left.type === 'Identifier') this.ref(node.left, READ | WRITE); // `x += 1`, `x ??= y`
        else this.expression(node.left as Expression);
        this.expression(node.right);
        return;
      case 'MemberExpression':
        this.expressionOrSuper(node.object);
        // `a.b`: `b` is a property name, not a reference.
        if (node.computed) this.expression(node.property);
        return;
      case 'ConditionalExpression':
        this.expression(node.test);
        this.expression(node.consequent);
        this.expression(node.alternate);
        return;
      case 'CallExpression':
        this.call(node);
        return;
      case 'NewExpression':
        this.expression(node.callee);
        this.list(node.arguments);
        return;
      case 'SequenceExpression':
        for (const expression of node.expressions) this.expression(expression);
        return;
      case 'TemplateLiteral':
        for (const expression of node.expressions) this.expression(expression);
        return;
      case 'TaggedTemplateExpression':
        this.expression(node.tag);
        for (const expression of node.quasi.expressions) this.expression(expression);
        return;
      case 'MetaProperty':
        // `new.target` is not a reference; `import.meta` is recorded (it makes the file ESM).
        if (node.meta.name === 'import') this.importMetas.push({ start: node.start, end: node.end });
        return;
      case 'ChainExpression':
      case 'ParenthesizedExpression':
        this.expression(node.expression);
        return;
      case 'ImportExpression': {
        const specifier = staticString(node.source);
        this.dynamicImports.push(specifier === undefined ? { start: node.start, end: node.end } : { start: node.start, end: node.end, specifier, source: spanOf(node.source) });
        this.expression(node.source);
        if (node.options) this.expression(node.options);
        return;
      }
      default:
        throw new UnknownNodeError(node);
    }
  }
}
