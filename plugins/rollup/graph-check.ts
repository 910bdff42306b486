// After the build, proves what rollup's plugin chain made of every package module: only edges the core allowed, no host require/module/exports left.
//
// Why a check after the fact: under rollup, other plugins take part in every module's life.
// @rollup/plugin-commonjs answers its own proxy ids (`\0<id>?commonjs-proxy`) before any other
// resolver and checks only the suffix, so a specifier written by package code can name any module
// of the build; a require it leaves untouched (transformMixedEsModules: false, ignore, a
// file its include/exclude skip) stays Node's real `require` in cjs output; a resolver placed
// before sandbox() can hand a package any file. None of that passes through the core's hooks, so
// the adapter verifies the outcome on the final module graph and fails the build instead.

import { extname } from 'node:path';
import type { ModuleInfo } from 'rollup';
import type { Program } from 'acorn';
import { findReferences } from '../../src/analysis/find-references.js';
import { COMMONJS_HELPERS_ID, unwrapOwnId, unwrapProxyId } from './commonjs-ids.js';

/** Names whose free use in a package module's final code reaches the host's CommonJS machinery. */
const HOST_NAMES = new Set(['require', 'module', 'exports']);
/** Cheap pre-filter: most final modules never mention these names outside property access. */
const MAY_USE_HOST_NAMES = /(?<![.$\w])(?:require|module|exports)(?![$\w])/;
/** Free names a pure data module (JSON turned into ESM) may still contain: language constants. */
const DATA_NAMES = new Set(['undefined', 'NaN', 'Infinity']);

export type ModuleRole =
  /** A package file the core rewrote, or a module the core generated: its edges and final code are checked. */
  | 'sandboxed'
  /** A package file the core left alone because it is trusted (ses, beforeLockdown polyfills). */
  | 'trusted'
  /** A package file the core never saw (not JavaScript by extension): allowed only as pure data. */
  | 'unseen';

export interface GraphProblem {
  id: string;
  message: string;
}

export interface GraphCheck {
  /** Records that the adapter answered `importer`'s import with `id`. */
  recordAnswer(importer: string, id: string): void;
  /** Problems in one module's final code, called from moduleParsed. */
  inspectParsed(info: ModuleInfo, role: ModuleRole): GraphProblem | undefined;
  /** Problems in one module's edges, called once the graph is complete. */
  inspectEdges(info: ModuleInfo): GraphProblem | undefined;
}

/** `\0` is invisible in messages: show it the way it is written in a JS string. */
export function printableId(id: string): string {
  return id.replaceAll('\0', '\\0');
}

function freeNamesOf(info: ModuleInfo): string[] {
  if (!info.ast) return [];
  return findReferences(info.ast as unknown as Program).free.map((ref) => ref.name);
}

// Dead code. @rollup/plugin-commonjs does not rewrite a branch it judges dead from a constant test
// (the right operand of `0 && ...` or `1 || ...`, the unreachable branch of `if (0)` or `0 ? a : b`),
// so the cjs-module-lexer export hint `0 && (module.exports = { a, b })` that esbuild writes at the
// end of its cjs output (immer ships one) keeps its free `module`. A host name there never runs, so
// the check ignores it; but only where the evaluation below proves the code dead, never on
// commonjs's word: if commonjs ever called live code dead (leaving its `require` as Node's), the
// build must still be refused here. The evaluation is sound by construction:
// it knows literals and a few operators on them, and answers "unknown" for everything else.
// Only references are ignored, never declarations: a `var module` in dead code still binds (hoisting),
// and findReferences sees the whole module, so scoping is unchanged.

/** A node of the final ESTree AST, seen generically. */
interface AnyNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

const isNode = (value: unknown): value is AnyNode => typeof value === 'object' && value !== null && typeof (value as AnyNode).type === 'string';

/** A literal's value when it is a primitive whose truthiness is certain; `undefined` for regexps and anything the parser could not build. */
function literalValue(node: AnyNode): { value: unknown } | undefined {
  if (node.regex !== undefined) return undefined;
  if (typeof node.bigint === 'string') {
    try {
      return { value: BigInt(node.bigint) };
    } catch {
      return undefined;
    }
  }
  const value = node.value;
  if (value === null && node.raw !== 'null') return undefined;
  if (value !== null && typeof value === 'object') return undefined;
  return { value };
}

/**
 * The truthiness `node` is certain to have at run time, or null when it is not a constant. Sound by
 * construction: only literals, `void`, `!`, the logical operators and equality between literals.
 */
function truthiness(node: unknown): boolean | null {
  if (!isNode(node)) return null;
  switch (node.type) {
    case 'Literal': {
      if (node.regex !== undefined) return true; // a RegExp object, whether or not the parser built one
      const literal = literalValue(node);
      return literal === undefined ? null : Boolean(literal.value);
    }
    case 'UnaryExpression':
      if (node.operator === 'void') return false;
      if (node.operator === '!') {
        const value = truthiness(node.argument);
        return value === null ? null : !value;
      }
      return null;
    case 'LogicalExpression': {
      const left = truthiness(node.left);
      const right = truthiness(node.right);
      // `a && b` is `a` when `a` is falsy, else `b`; `a || b` is `a` when truthy, else `b`.
      if (node.operator === '&&') return left === false ? false : left === true ? right : right === false ? false : null;
      if (node.operator === '||') return left === true ? true : left === false ? right : right === true ? true : null;
      return null;
    }
    case 'SequenceExpression': {
      const expressions = node.expressions as unknown[];
      return truthiness(expressions[expressions.length - 1]);
    }
    case 'BinaryExpression': {
      if (!['==', '!=', '===', '!=='].includes(node.operator as string)) return null;
      const left = isNode(node.left) && node.left.type === 'Literal' ? literalValue(node.left) : undefined;
      const right = isNode(node.right) && node.right.type === 'Literal' ? literalValue(node.right) : undefined;
      if (left === undefined || right === undefined) return null;
      const a = left.value;
      const b = right.value;
      switch (node.operator) {
        case '==':
          return a == b;
        case '!=':
          return a != b;
        case '===':
          return a === b;
        default:
          return a !== b;
      }
    }
    default:
      return null;
  }
}

/** The part of `node` that never runs because of a constant test in `node` itself, if any. */
function deadPartOf(node: AnyNode): unknown {
  switch (node.type) {
    case 'LogicalExpression': {
      if (node.operator === '??') {
        // Only a literal other than `null` is certainly not nullish.
        const left = node.left;
        return isNode(left) && left.type === 'Literal' && (left.regex !== undefined || literalValue(left)?.value != null) ? node.right : undefined;
      }
      const left = truthiness(node.left);
      if (node.operator === '&&') return left === false ? node.right : undefined;
      if (node.operator === '||') return left === true ? node.right : undefined;
      return undefined;
    }
    case 'IfStatement':
    case 'ConditionalExpression': {
      const test = truthiness(node.test);
      return test === false ? node.consequent : test === true ? node.alternate : undefined;
    }
    default:
      return undefined;
  }
}

/** Source ranges of `program` that can never run, outermost only. */
export function deadRanges(program: unknown): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const visit = (node: AnyNode): void => {
    const dead = deadPartOf(node);
    for (const key in node) {
      const child = node[key];
      if (Array.isArray(child)) {
        for (const item of child) if (isNode(item)) item === dead ? ranges.push([item.start, item.end]) : visit(item);
      } else if (isNode(child)) {
        if (child === dead) ranges.push([child.start, child.end]);
        else visit(child);
      }
    }
  };
  if (isNode(program)) visit(program);
  return ranges;
}

/** The host names `info`'s final code uses for real: free, and outside provably dead code. */
function liveHostNamesOf(info: ModuleInfo): string[] {
  if (!info.ast) return [];
  const refs = findReferences(info.ast as unknown as Program).free.filter((ref) => HOST_NAMES.has(ref.name));
  if (refs.length === 0) return [];
  const dead = deadRanges(info.ast);
  return [...new Set(refs.filter((ref) => !dead.some(([start, end]) => ref.start >= start && ref.end <= end)).map((ref) => ref.name))];
}

export function createGraphCheck(describe: (id: string) => string): GraphCheck {
  const answers = new Map<string, Set<string>>();

  /** An edge is allowed when the adapter resolved it for this importer, or commonjs built it from such an answer. */
  const allowed = (importer: string, id: string): boolean => {
    const given = answers.get(importer);
    if (given?.has(id)) return true;
    if (id === COMMONJS_HELPERS_ID) return true;
    if (unwrapOwnId(id) === importer) return true;
    const target = unwrapProxyId(id);
    return target !== undefined && given !== undefined && given.has(target);
  };

  return {
    recordAnswer(importer, id) {
      let set = answers.get(importer);
      if (!set) answers.set(importer, (set = new Set()));
      set.add(id);
    },

    inspectParsed(info, role) {
      if (role === 'trusted') return undefined;
      if (role === 'unseen') {
        const names = freeNamesOf(info).filter((name) => !DATA_NAMES.has(name));
        if (names.length === 0) return undefined;
        return {
          id: info.id,
          message: `sandbox-bundle: ${describe(info.id)} is in the bundle without its sandbox wrapper and uses ${[...new Set(names)].slice(0, 5).map((n) => JSON.stringify(n)).join(', ')}. sandbox-bundle wraps .js, .cjs, .mjs and extensionless files; other files of a package may only be data (JSON). Remove the import, or make the file JavaScript.`,
        };
      }
      const commonjs = (info.meta as { commonjs?: { isCommonJS?: unknown } }).commonjs;
      if (commonjs?.isCommonJS === true) {
        // Hoisted CommonJS runs at bundle start: before lockdown, and a denied require throws there, uncatchably.
        return {
          id: info.id,
          message: `sandbox-bundle: @rollup/plugin-commonjs hoisted the requires of ${describe(info.id)} instead of wrapping them. Set commonjs({ strictRequires: true }): requires must run where they are called, in order, so the sandbox starts first and a denied require throws at the call.`,
        };
      }
      if (!info.code || !MAY_USE_HOST_NAMES.test(info.code)) return undefined;
      const host = liveHostNamesOf(info);
      if (host.length === 0) return undefined;
      // No commonjs meta: commonjs never looked at the file (its extensions, include or exclude).
      const fix = !commonjs
        ? `@rollup/plugin-commonjs did not process it: add "${extname(info.id)}" to commonjs extensions (sandbox-bundle wraps .js, .cjs, .mjs and extensionless files) and make sure its include/exclude cover the file`
        : host.includes('require')
          ? 'Configure commonjs({ transformMixedEsModules: true }) and leave its ignore option unset, so every require goes through the sandbox'
          : 'Make sure @rollup/plugin-commonjs transforms it (its include and exclude options)';
      return {
        id: info.id,
        message: `sandbox-bundle: ${describe(info.id)} still uses Node's own ${host.map((n) => JSON.stringify(n)).join(', ')} after @rollup/plugin-commonjs ran; at run time that would bypass the sandbox. ${fix}.`,
      };
    },

    inspectEdges(info) {
      for (const id of [...info.importedIds, ...info.dynamicallyImportedIds]) {
        if (allowed(info.id, id)) continue;
        return {
          id: info.id,
          message: `sandbox-bundle: ${describe(info.id)} imports "${printableId(id)}", which sandbox-bundle did not resolve for it. Either package code names a bundler-internal id (a commonjs "?commonjs-proxy" id, another plugin's virtual module) to reach modules past its gates: treat the package as hostile; or a plugin before sandbox() in the plugin list resolved the import: move sandbox() before it.`,
        };
      }
      return undefined;
    },
  };
}
