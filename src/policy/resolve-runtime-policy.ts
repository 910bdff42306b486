// Policy normalization: the file's policy turned into the exact, deterministic form the runtime shim enforces.
import type { PackagePolicy, PolicyFile, RuntimePackagePolicy, RuntimePolicy } from './types.js';

/** `node:fs.readFile` -> `fs.readFile`: the runtime knows each builtin by one name. */
export function normalizeBuiltinName(name: string): string {
  return name.startsWith('node:') ? name.slice('node:'.length) : name;
}

/**
 * Keeps only grants, strips `node:` from builtins, sorts every key. Packages left with no grant are omitted:
 * the runtime treats an absent package as granted nothing. Builtins a package's entry names without
 * granting anything of them (`"worker_threads.Worker": false`) are listed in `deniedBuiltins`: they
 * load, with none of their members, where an unnamed builtin is refused.
 */
export function resolveRuntimePolicy(policy: PolicyFile): RuntimePolicy {
  const all = Object.entries(policy.resources).map(([name, entry]) => [name, entry, resolvePackagePolicy(entry)] as const);
  const resolved = all.filter(([, , entry]) => hasGrants(entry)).map(([name, , entry]) => [name, entry] as const);
  const denied = all.map(([name, entry, runtime]) => [name, deniedBuiltins(entry.builtin, runtime.builtin)] as const).filter(([, names]) => names.length > 0);
  // Only when there is one: policies without such entries keep their exact bytes.
  return denied.length > 0 ? { resources: toSortedRecord(resolved), deniedBuiltins: toSortedRecord(denied) } : { resources: toSortedRecord(resolved) };
}

/**
 * Builtins the policy names (`true` or `false`, module or member) of which nothing is granted after
 * resolution: `{"worker_threads.Worker": false}` -> `["worker_threads"]`. They load as empty facades.
 */
function deniedBuiltins(map: Record<string, unknown> = {}, granted: Record<string, true>): string[] {
  const moduleOf = (key: string) => normalizeBuiltinName(key).split('.')[0]!;
  const grantedModules = new Set(Object.keys(granted).map(moduleOf));
  const named = Object.entries(map).filter(([, grant]) => grant === true || grant === false).map(([key]) => moduleOf(key));
  return [...new Set(named)].filter((name) => !grantedModules.has(name)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function resolvePackagePolicy(entry: PackagePolicy): RuntimePackagePolicy {
  return {
    globals: keepGrants(entry.globals),
    builtin: resolveBuiltins(entry.builtin),
    packages: keepGrants(entry.packages),
    // Only a literal true grants: anything else, absent included, denies.
    native: entry.native === true,
  };
}

/** Grants are exactly `true` and `"write"`, so a stray truthy value in an unchecked policy never grants. */
function keepGrants(map: Record<string, unknown> = {}): Record<string, true | 'write'> {
  return toSortedRecord(
    Object.entries(map).filter((entry): entry is [string, true | 'write'] => entry[1] === true || entry[1] === 'write'),
  );
}

function resolveBuiltins(map: Record<string, unknown> = {}): Record<string, true> {
  const entries = Object.entries(map).map(([name, grant]) => [normalizeBuiltinName(name), grant] as const);
  // One builtin spelled both ways with different values is denied: when the policy disagrees with itself, grant nothing.
  const denied = new Set(entries.filter(([, grant]) => grant !== true).map(([name]) => name));
  return toSortedRecord(entries.filter(([name, grant]) => grant === true && !denied.has(name)).map(([name]) => [name, true as const]));
}

function hasGrants(entry: RuntimePackagePolicy): boolean {
  return entry.native || [entry.globals, entry.builtin, entry.packages].some((map) => Object.keys(map).length > 0);
}

/**
 * Builds a record with keys in code-unit order, so the same policy always serializes to the same bytes
 * (localeCompare would depend on the machine's locale). Object.fromEntries defines own properties, so
 * a key such as "__proto__" stays a plain key.
 */
export function toSortedRecord<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
