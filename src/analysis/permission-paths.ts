// Permission names as policies spell them: how deep a generated grant goes, and which permissions generation never grants (DESIGN section 3).

import { isBuiltin } from 'node:module';
import { HARMLESS_MEMBERS, HIDDEN_DOORS, POWERFUL_BUILTINS } from '../runtime/hidden-doors.js';
import { normalizeBuiltinName } from '../policy/resolve-runtime-policy.js';

/**
 * Builtin members that are namespaces of their own: a grant goes one level into them
 * (`fs.promises.readFile`, `path.posix.join`), so using one promise function does not grant all of them.
 */
const BUILTIN_NAMESPACES: ReadonlySet<string> = new Set(['promises', 'posix', 'win32', 'types']);

/**
 * Members of the module system that reach the real loader. The sandbox's `require` and `module` are
 * facades without them, so no policy can grant them: generation only reports their use.
 */
export const MODULE_SYSTEM_DOORS: ReadonlySet<string> = new Set(['require.cache', 'require.main', 'module.constructor', 'module.require', 'module.parent']);

/**
 * A global grant stops one member below the global: `process.env.NODE_ENV` -> `process.env`.
 * What lies deeper is data (environment variable names, version fields), which argument scoping
 * narrows better than ever-longer paths; one grant per object also keeps generated policies
 * reviewable and stable when a package reads one more variable.
 */
export function capGlobalPath(path: readonly string[]): string {
  return path.slice(0, 2).join('.');
}

/**
 * A builtin grant stops at the export used (`fs.readFile`), or one level into a namespace export
 * (`fs.promises.readFile`) or a harmless nested member (`v8.startupSnapshot.isBuildingSnapshot`,
 * which is granted while the rest of `v8.startupSnapshot` stays a door).
 */
export function capBuiltinPath(module: string, members: readonly string[]): string {
  const nested = members.length > 1 && (BUILTIN_NAMESPACES.has(members[0]) || HARMLESS_MEMBERS.has(normalizeBuiltinName([module, members[0], members[1]].join('.'))));
  const depth = nested ? 2 : Math.min(members.length, 1);
  return [module, ...members.slice(0, depth)].join('.');
}

/**
 * The policy's name for a builtin specifier: `node:fs` -> `fs`. Modules that exist only with the
 * prefix (`node:test`, `node:sqlite`) keep it, since the bare name is not a builtin (it could be a package).
 */
export function builtinModuleName(specifier: string): string | undefined {
  if (!isBuiltin(specifier)) return undefined;
  if (!specifier.startsWith('node:')) return specifier;
  const bare = specifier.slice('node:'.length);
  return isBuiltin(bare) ? bare : specifier;
}

/** A global path generation never grants: `process.binding` and the other hidden doors. */
export function isGlobalDoor(key: string): boolean {
  return HIDDEN_DOORS.has(key);
}

/**
 * A builtin permission generation never grants: any part of `vm`, `module`, `v8`..., and hidden doors
 * such as `worker_threads.Worker`, except the harmless members (`worker_threads.isMainThread`,
 * `module.createRequire`, see HARMLESS_MEMBERS), which are granted like ordinary members.
 */
export function isBuiltinDoor(key: string): boolean {
  const bareKey = normalizeBuiltinName(key);
  if (HARMLESS_MEMBERS.has(bareKey)) return false;
  const bare = bareKey.split('.')[0];
  return POWERFUL_BUILTINS.has(bare) || POWERFUL_BUILTINS.has(bare.split('/')[0]) || HIDDEN_DOORS.has(key);
}
