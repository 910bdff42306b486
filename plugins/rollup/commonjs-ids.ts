// The module ids @rollup/plugin-commonjs invents, and which of them a sandboxed module may import.

/**
 * Suffixes commonjs appends to an id it proxies or wraps (`\0<id><suffix>`). Its resolver answers
 * these before any other plugin and checks only the suffix, so a specifier that package code writes
 * in this shape names any module of the build directly: every such edge is verified after the
 * build against what sandbox-bundle resolved for the importer (see graph-check.ts).
 */
const PROXY_SUFFIXES = ['?commonjs-wrapped', '?commonjs-proxy', '?commonjs-es-import', '?commonjs-external'] as const;
/** Helper modules holding a CommonJS module's own `module`/`exports` objects. */
const OWN_SUFFIXES = ['?commonjs-module', '?commonjs-exports'] as const;

/** Shared helpers (interop functions, the real global for free `global`, a throwing `commonjsRequire`): no authority for package code. */
export const COMMONJS_HELPERS_ID = '\0commonjsHelpers.js';
/**
 * commonjs's registry for `dynamicRequireTargets`: a module importing it can require any registered
 * file by a computed name, past every gate. Never allowed from sandboxed code.
 */
export const COMMONJS_DYNAMIC_MODULES_ID = '\0commonjs-dynamic-modules';

/** The id a commonjs proxy or wrapper stands for, or undefined when `id` is not one commonjs makes. */
export function unwrapProxyId(id: string): string | undefined {
  if (!id.startsWith('\0')) return undefined;
  for (const suffix of PROXY_SUFFIXES) if (id.endsWith(suffix)) return id.slice(1, -suffix.length);
  return undefined;
}

/** The module whose own `module`/`exports` helper `id` is, or undefined. */
export function unwrapOwnId(id: string): string | undefined {
  if (!id.startsWith('\0')) return undefined;
  for (const suffix of OWN_SUFFIXES) if (id.endsWith(suffix)) return id.slice(1, -suffix.length);
  return undefined;
}
