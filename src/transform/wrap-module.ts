// Rewrites one dependency module so every free identifier comes from its package's scope (DESIGN sections 1 and 5).

import { createHash } from 'node:crypto';
import MagicString from 'magic-string';
import type { ModuleFacts } from '../analysis/inspect-module.js';
import { SCOPE_SPECIFIER } from '../names.js';
import { asciiComment, asciiRegExpLiteral } from './ascii-escapes.js';

export interface WrapOptions {
  /** The module's path relative to the output directory (POSIX): `__filename`/`import.meta.url` are rebuilt from it at run time. */
  relativePath: string;
  /** Produce a source map (line-level: the prologue never adds a line). */
  sourceMap: boolean;
  file: string;
  /** Import specifier literals to replace (spans of the literal, quotes included). */
  specifiers?: readonly SpecifierRewrite[];
  /** How the prologue imports the package's scope (default: the reserved scope specifier, resolved per importer). */
  scopeSpecifier?: string;
}

export interface SpecifierRewrite {
  start: number;
  end: number;
  specifier: string;
}

export interface WrappedModule {
  code: string;
  map?: ReturnType<MagicString['generateMap']>;
}

/** Names no module may bind or replace; they need no scope binding. */
const LANGUAGE_CONSTANTS = new Set(['undefined', 'NaN', 'Infinity', 'arguments']);

/** A binding name that does not occur in the source, so it cannot collide with the module's own names. */
function freshName(source: string, base: string): string {
  let name = base;
  for (let i = 1; source.includes(name); i++) name = `${base}${i}`;
  return name;
}

/**
 * The module keeps its code; we add one prologue line segment (no new lines, so positions
 * stay on their lines) binding free names to the package scope, and rewrite the few forms a
 * binding cannot cover:
 * - `require` used other than as `require('literal')` -> the scoped require (literal calls stay
 *   free because the bundler must link them; their resolution is checked per importer);
 * - `import(expr)` with a computed specifier -> the scoped importer;
 * - `eval` -> the package global's eval (strict code may not bind `eval`; a direct eval would
 *   see the bundle's top-level scope);
 * - names the module assigns -> properties of the package global, so writes land there;
 * - `import.meta` -> a per-module object with the module's original url;
 * - a regexp literal or a comment with characters outside ASCII -> the same with `\uXXXX` escapes.
 */
export function wrapModule(source: string, facts: ModuleFacts, options: WrapOptions): WrappedModule {
  const out = new MagicString(source);
  const isEsm = facts.format === 'esm';
  // An ES module's top-level names land in the bundle's top-level scope. Were they the same in every
  // module, the bundler would rename each (__sb2 ... __sb555), and then every CommonJS module's own
  // `__sb` would be checked against all of those names, one by one (esbuild's renamer; on the bench app
  // 14% of esbuild's CPU time). A tag from the module's path keeps them apart, the same in every build.
  const tag = isEsm ? `_${createHash('sha256').update(options.relativePath).digest('hex').slice(0, 8)}` : '';
  const scope = freshName(source, `__sb${tag}`);
  const global = freshName(source, `__sbG${tag}`);
  const meta = freshName(source, `__sbMeta${tag}`);
  const bindings: string[] = [`${global} = ${scope}.globalThis`];
  const relativePath = JSON.stringify(options.relativePath);

  const replace = (start: number, end: number, name: string, expression: string, shorthand: boolean) => {
    out.overwrite(start, end, shorthand ? `${name}: ${expression}` : expression);
  };

  for (const free of facts.freeNames.values()) {
    const { name } = free;
    if (LANGUAGE_CONSTANTS.has(name)) continue;
    if (name === 'require') {
      for (const at of free.occurrences) if (!at.literalRequireCallee) replace(at.start, at.end, name, `${scope}.require`, at.shorthand);
      continue;
    }
    if (!isEsm && (name === 'module' || name === 'exports')) continue; // the bundler's own plain module object
    if (name === 'eval' || free.writes > 0) {
      for (const at of free.occurrences) replace(at.start, at.end, name, `${global}.${name}`, at.shorthand);
      continue;
    }
    if (name === '__filename' || name === '__dirname') {
      bindings.push(isEsm ? `${name} = void 0` : `${name} = ${scope}.${name === '__filename' ? 'filename' : 'dirname'}(${relativePath})`);
      continue;
    }
    // ESM has no module/exports under Node; left free they would reach the bundle's real `module`.
    bindings.push(isEsm && (name === 'module' || name === 'exports') ? `${name} = void 0` : `${name} = ${global}.${name}`);
  }

  for (const call of facts.dynamicImports) {
    if (call.specifier === undefined) out.overwrite(call.start, call.start + 'import'.length, `${scope}.import`);
  }
  for (const rewrite of options.specifiers ?? []) out.overwrite(rewrite.start, rewrite.end, JSON.stringify(rewrite.specifier));
  // esbuild writes everything else outside ASCII as escapes; with these too, V8 can hold the
  // bundle's source one byte per character (see ascii-escapes.ts).
  for (const at of facts.nonAsciiRegExps) out.overwrite(at.start, at.end, asciiRegExpLiteral(source.slice(at.start, at.end)));
  for (const at of facts.nonAsciiComments) out.overwrite(at.start, at.end, asciiComment(source.slice(at.start, at.end)));
  if (facts.importMetas.length > 0) {
    bindings.push(`${meta} = ${scope}.meta(${relativePath})`);
    for (const at of facts.importMetas) out.overwrite(at.start, at.end, meta);
  }

  const scopeSpecifier = JSON.stringify(options.scopeSpecifier ?? SCOPE_SPECIFIER);
  const load = isEsm ? `import ${scope} from ${scopeSpecifier};` : `var ${scope} = require(${scopeSpecifier});`;
  out.appendLeft(facts.prologueInsertAt, `;${load}var ${bindings.join(', ')};`);
  return {
    code: out.toString(),
    // No sourcesContent: both bundlers fill it from the original file (esbuild reads `source` from disk,
    // rollup keeps the code it loaded), so sending it again only doubled the bytes piped to esbuild.
    map: options.sourceMap ? out.generateMap({ source: options.file, includeContent: false, hires: false }) : undefined,
  };
}

/** The code with its source map appended as a data URL comment, as esbuild reads input maps. */
export function withInlineSourceMap(code: string, map: object | undefined): string {
  return map ? `${code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}` : code;
}
