// Policy merging: a hand-written override laid over a (usually generated) base policy.
import type { PackagePolicy, PolicyFile } from './types.js';
import { normalizeBuiltinName, toSortedRecord } from './resolve-runtime-policy.js';

/**
 * Override wins key by key: each package entry is merged field by field, and `globals`, `builtin`, `packages`
 * entry by entry, so an override of `false` revokes a grant of the base. Pure; keys of the result are sorted.
 */
export function mergePolicies(base: PolicyFile, override: PolicyFile): PolicyFile {
  const names = new Set([...Object.keys(base.resources), ...Object.keys(override.resources)]);
  return {
    resources: toSortedRecord(
      [...names].map((name) => [name, mergePackagePolicy(own(base.resources, name), own(override.resources, name))] as const),
    ),
  };
}

function mergePackagePolicy(base: PackagePolicy = {}, override: PackagePolicy = {}): PackagePolicy {
  const merged: PackagePolicy = {};
  const globals = mergeMaps(base.globals, override.globals);
  if (globals) merged.globals = globals;
  // "node:fs" in the override must replace "fs" in the base, or a revocation spelled differently would be lost.
  const builtin = mergeMaps(base.builtin, override.builtin, normalizeBuiltinName);
  if (builtin) merged.builtin = builtin;
  const packages = mergeMaps(base.packages, override.packages);
  if (packages) merged.packages = packages;
  const native = override.native ?? base.native;
  if (native !== undefined) merged.native = native;
  return merged;
}

function mergeMaps<V>(
  base: Record<string, V> | undefined,
  override: Record<string, V> | undefined,
  identify: (key: string) => string = (key) => key,
): Record<string, V> | undefined {
  if (!base && !override) return undefined;
  const overridden = new Set(Object.keys(override ?? {}).map(identify));
  const kept = Object.entries(base ?? {}).filter(([key]) => !overridden.has(identify(key)));
  return toSortedRecord([...kept, ...Object.entries(override ?? {})]);
}

/** Own entries only: a package named "constructor" must not find Object.prototype.constructor. */
function own<V>(record: Record<string, V>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
