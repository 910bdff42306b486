// inspectModule: parse one dependency module once (meriyah, strict module mode; acorn for what meriyah refuses) and report the facts the wrapper pass needs.

import { getLineInfo, parse, type Options, type Program } from 'acorn';
import { parseModule as meriyahParseModule } from 'meriyah';
import { SandboxError } from '../errors.js';
import { findReferences, READ, REQUIRE_CALLEE, SHORTHAND, UnknownNodeError, WRITE } from './find-references.js';

/** Offsets into the source string (`start` inclusive, `end` exclusive). */
export interface Span {
  start: number;
  end: number;
}

/** One occurrence of a free identifier. */
export interface FreeOccurrence extends Span {
  /** Assigned: `x = 1`, `x += 1`, `x++`, `[x] = a`, `({x} = o)`, `for (x in o)`. */
  write: boolean;
  /** A shorthand property `{x}` (object literal or object pattern): a rewrite must emit `x: <expr>`. */
  shorthand: boolean;
  /** This `require` is the callee of one of {@link ModuleFacts.requireCalls}. */
  literalRequireCallee: boolean;
}

export interface FreeName {
  name: string;
  /** Occurrences that read the value: plain reads plus compound writes (`x += 1`, `x++`, `x ??= y`). */
  reads: number;
  /** Occurrences that assign (`write: true`). A compound assignment counts in both `reads` and `writes`. */
  writes: number;
  /** In source order. */
  occurrences: FreeOccurrence[];
}

/** `require('x')` / `require(\`x\`)`: one string-literal (or expression-less template) argument, callee a free `require`. Span covers the call. */
export interface RequireCall extends Span {
  specifier: string;
  /** The specifier literal itself. */
  source: Span;
}

/** An `import(...)` expression; `specifier` is set when its source is a string literal or expression-less template. */
export interface DynamicImport extends Span {
  specifier?: string;
  /** The specifier literal, when `specifier` is set. */
  source?: Span;
}

/**
 * An import declaration or an export-from declaration (`export {a} from 'x'`, `export * from 'x'`).
 * `names`: 'default', each imported name, '*' for a namespace import or export-star; [] for `import 'x'`.
 */
export interface StaticImport extends Span {
  specifier: string;
  /** The specifier literal itself. */
  source: Span;
  names: string[];
}

export interface ModuleFacts {
  /** 'esm' when the file has any import/export declaration or `import.meta`. */
  format: 'esm' | 'cjs';
  /** An ESM module with a default export (`export default`, `export { x as default }`, or re-exported). */
  hasDefaultExport: boolean;
  /** The directive prologue contains 'use strict'. */
  hasUseStrict: boolean;
  /**
   * Offset right after the hashbang line and the directive prologue, where generated statements can
   * go without breaking directives. The last directive may lack its `;` (`'use strict'\n(...)` would
   * then call the string), and a hashbang may end the file without a newline: start inserted text
   * with `\n;` (or a newline and a statement that cannot continue an expression, like `var`).
   */
  prologueInsertAt: number;
  /** Free identifiers, in first-occurrence order. `arguments` at module top level is free. */
  freeNames: Map<string, FreeName>;
  requireCalls: RequireCall[];
  dynamicImports: DynamicImport[];
  /** Each `import.meta` MetaProperty. */
  importMetas: Span[];
  staticImports: StaticImport[];
  /**
   * Regular expression literals with characters outside ASCII, which the wrapper escapes: esbuild
   * escapes strings, templates and names, and one such character left anywhere makes the whole
   * bundle's source a two-byte string in V8 (twice the memory; see transform/ascii-escapes.ts).
   */
  nonAsciiRegExps: Span[];
  /** Comments with characters outside ASCII (esbuild keeps legal comments and some others), escaped by the wrapper for the same reason. */
  nonAsciiComments: Span[];
}

// Module mode is strict mode: dependency code must run strict (DESIGN.md section 1), so code that
// only parses sloppy is refused here rather than silently changing meaning at run time.
// allowReturnOutsideFunction: CommonJS may `return` at top level (it runs inside a function).
const MODULE_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'module',
  allowHashBang: true,
  allowReturnOutsideFunction: true,
};
const SCRIPT_OPTIONS: Options = { ...MODULE_OPTIONS, sourceType: 'script' };

interface AcornSyntaxError extends SyntaxError {
  pos?: number;
  loc?: { line: number; column: number };
}

/** Inspects one module's source. Throws SandboxError SB_UNSUPPORTED_SYNTAX when it is not valid strict-mode code. */
export function inspectModule(source: string, file: string): ModuleFacts {
  // Comments are collected only where they can matter: most modules are pure ASCII.
  const nonAsciiComments: Span[] | undefined = NON_ASCII.test(source) ? [] : undefined;
  let program = parseFast(source, nonAsciiComments);
  if (program === undefined) {
    if (nonAsciiComments) nonAsciiComments.length = 0; // the failed parse may have reported some
    program = parseReference(source, file, nonAsciiComments);
  }
  return factsOf(program, source, file, nonAsciiComments);
}

/** A parser's comment callback that keeps, in `into`, the spans of comments with characters outside ASCII. */
function commentCollector(source: string, into: Span[]) {
  return (start: number, end: number) => {
    if (NON_ASCII.test(source.slice(start, end))) into.push({ start, end });
  };
}

/**
 * The fast parse: meriyah, module goal, start/end offsets only. Undefined when meriyah refuses the
 * source; the reference parse then decides, and words any error.
 *
 * Why two parsers: meriyah parses the bench app's 3,210 modules in 0.75-0.84 s on a first pass
 * against acorn's 1.13-1.85 s, and this parse is most of a cold build's own work. Both produce ESTree
 * with the same offsets; a differential test (inspect-module.parsers.test.ts) checks that both trees
 * have the same nodes and give the same facts. meriyah has no module-goal mode that allows a top-level
 * `return` (its `globalReturn` makes a script), which CommonJS files use: those, like broken or
 * sloppy-only files, go to acorn.
 */
export function parseFast(source: string, nonAsciiComments?: Span[]): Program | undefined {
  const collect = nonAsciiComments && commentCollector(source, nonAsciiComments);
  try {
    // lexical: scope tracking, without which meriyah accepts redeclarations and duplicate
    // parameters that strict code forbids (~10% of its parse time).
    return meriyahParseModule(source, {
      ranges: true,
      lexical: true,
      onComment: collect && ((_type, _value, start, end) => collect(start, end)),
    }) as unknown as Program;
  } catch {
    return undefined;
  }
}

/**
 * The facts of a parsed module. `nonAsciiComments` is what the parse collected, or undefined when the
 * source is pure ASCII (inspectModule has checked once: there is then nothing to escape). Exported for
 * the parser differential test.
 */
export function factsOf(program: Program, source: string, file: string, nonAsciiComments?: Span[]): ModuleFacts {
  let scan;
  try {
    scan = findReferences(program);
  } catch (error) {
    if (!(error instanceof UnknownNodeError)) throw error;
    throw new SandboxError(
      'SB_UNSUPPORTED_SYNTAX',
      `sandbox-bundle: "${file}:${lineAndColumn(source, error.node.start)}" uses syntax this version of sandbox-bundle cannot analyze (${error.message}). ` +
        'Its free names could not all be found, so the module is refused rather than bundled half-checked. ' +
        'Use a build of the package that targets an older ECMAScript version, or upgrade sandbox-bundle.',
      { cause: error },
    );
  }

  const freeNames = new Map<string, FreeName>();
  for (const ref of scan.free) {
    let entry = freeNames.get(ref.name);
    if (entry === undefined) {
      entry = { name: ref.name, reads: 0, writes: 0, occurrences: [] };
      freeNames.set(ref.name, entry);
    }
    const write = (ref.flags & WRITE) !== 0;
    if (ref.flags & READ) entry.reads++;
    if (write) entry.writes++;
    entry.occurrences.push({
      start: ref.start,
      end: ref.end,
      write,
      shorthand: (ref.flags & SHORTHAND) !== 0,
      literalRequireCallee: (ref.flags & REQUIRE_CALLEE) !== 0,
    });
  }

  let format: 'esm' | 'cjs' = scan.importMetas.length > 0 ? 'esm' : 'cjs';
  if (format === 'cjs') {
    for (const statement of program.body) {
      const type = statement.type;
      if (
        type === 'ImportDeclaration' ||
        type === 'ExportNamedDeclaration' ||
        type === 'ExportDefaultDeclaration' ||
        type === 'ExportAllDeclaration'
      ) {
        format = 'esm';
        break;
      }
    }
  }

  const hasDefaultExport = program.body.some(
    (statement) =>
      statement.type === 'ExportDefaultDeclaration' ||
      (statement.type === 'ExportNamedDeclaration' && statement.specifiers.some((specifier) => (specifier.exported.type === 'Identifier' ? specifier.exported.name : specifier.exported.value) === 'default')),
  );

  // Both parsers mark directive-prologue statements with `directive` (the raw text between the quotes:
  // an escaped 'use\x20strict' is a directive but not a Use Strict Directive, and stays unequal).
  let hasUseStrict = false;
  let prologueInsertAt = hashbangEnd(source);
  for (const statement of program.body) {
    if (statement.type !== 'ExpressionStatement' || statement.directive === undefined) break;
    if (statement.directive === 'use strict') hasUseStrict = true;
    prologueInsertAt = statement.end;
  }

  return {
    format,
    hasDefaultExport,
    hasUseStrict,
    prologueInsertAt,
    freeNames,
    requireCalls: scan.requireCalls,
    dynamicImports: scan.dynamicImports,
    importMetas: scan.importMetas,
    staticImports: scan.staticImports,
    nonAsciiRegExps: nonAsciiComments ? scan.regExpLiterals.filter((span) => NON_ASCII.test(source.slice(span.start, span.end))) : [],
    nonAsciiComments: nonAsciiComments ?? [],
  };
}

const NON_ASCII = /[^\x00-\x7f]/;

/** "line:column" (both from 1) of an offset, for messages: acorn's line breaks, as in its syntax errors below. */
function lineAndColumn(source: string, offset: number): string {
  const { line, column } = getLineInfo(source, offset);
  return `${line}:${column + 1}`;
}

/** Offset of the line after a `#!` line (the end of the source if there is no line break), or 0. */
function hashbangEnd(source: string): number {
  if (source.charCodeAt(0) !== 0x23 /* # */ || source.charCodeAt(1) !== 0x21 /* ! */) return 0;
  const match = /\r\n|[\n\r\u2028\u2029]/.exec(source);
  return match ? match.index + match[0].length : source.length;
}

/** The reference parse: acorn, module goal, top-level `return` allowed. Throws the SandboxError that explains a refusal. */
export function parseReference(source: string, file: string, nonAsciiComments?: Span[]): Program {
  let moduleError: AcornSyntaxError;
  const collect = nonAsciiComments && commentCollector(source, nonAsciiComments);
  try {
    return parse(source, collect ? { ...MODULE_OPTIONS, onComment: (_block, _text, start, end) => collect(start, end) } : MODULE_OPTIONS);
  } catch (error) {
    moduleError = error as AcornSyntaxError;
  }
  // Only a sloppy parse tells "valid code we refuse" apart from "broken code".
  let scriptError: AcornSyntaxError | undefined;
  try {
    parse(source, SCRIPT_OPTIONS);
  } catch (error) {
    scriptError = error as AcornSyntaxError;
  }
  if (scriptError === undefined) {
    throw new SandboxError(
      'SB_UNSUPPORTED_SYNTAX',
      `sandbox-bundle: "${file}" is not valid strict-mode code (${describe(moduleError)}). ` +
        'Every module in a sandboxed bundle runs in strict mode (sloppy mode leaks the real global ' +
        'through `this` and caller chains), so this package cannot be bundled: replace it, or ask its ' +
        'authors for a strict-mode build.',
      { cause: moduleError },
    );
  }
  // Both parses failed. The one that got further is the real syntax error: the other usually
  // stopped at a mode difference (`import` in a script, `with` in a module).
  const error = (scriptError.pos ?? 0) > (moduleError.pos ?? 0) ? scriptError : moduleError;
  const where = error.loc ? `${file}:${error.loc.line}:${error.loc.column + 1}` : file;
  throw new SandboxError(
    'SB_UNSUPPORTED_SYNTAX',
    `sandbox-bundle: syntax error in "${where}": ${stripPosition(error.message)}. ` +
      'Fix the file, or check that it is JavaScript (not JSX, TypeScript or a non-JS asset).',
    { cause: error },
  );
}

/** acorn appends " (line:column)" to its messages; we print the position our own way. */
function stripPosition(message: string): string {
  return message.replace(/ \(\d+:\d+\)$/, '');
}

function describe(error: AcornSyntaxError): string {
  const message = stripPosition(error.message);
  return error.loc ? `${message} at line ${error.loc.line}:${error.loc.column + 1}` : message;
}
