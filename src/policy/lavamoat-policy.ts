// LavaMoat policies: what newer LavaMoat files contain beyond the format we read, and their conversion to it.
//
// Plain LavaMoat policies (`resources` with globals/builtin/packages/native) are our format and load as
// they are. Newer files add fields with no meaning here. Loading one as a policy fails with a message
// pointing at `sandbox-bundle policy --from-lavamoat`, because silently ignoring a field such as
// `packageOverrides` could change what a person believes is granted; the conversion maps everything
// that has an equivalent and names everything it drops.
import { SandboxError } from '../errors.js';
import { ROOT_PACKAGE } from '../names.js';
import type { GlobalGrant, PackageGrant, PackagePolicy, PolicyFile } from './types.js';
import { assertPolicy } from './validate-policy.js';
import { toSortedRecord } from './resolve-runtime-policy.js';
import { LAVAMOAT_ROOT, PACKAGE_DROPS, TOP_LEVEL_DROPS, isRecord } from './lavamoat-features.js';

export interface LavaMoatConversion {
  policy: PolicyFile;
  /** One line per dropped or changed field: `<key path>: <what happened>`. */
  warnings: string[];
}

/**
 * Converts a LavaMoat policy (any version) to our format: `$root` becomes `$root$`, `"read"` becomes
 * `true`, `"redefine"` becomes `"write"` (narrower: it cannot redefine properties), and fields without
 * an equivalent are dropped with a warning each. The result is validated; `source` names the file.
 */
export function convertLavaMoatPolicy(value: unknown, source: string): LavaMoatConversion {
  if (!isRecord(value) || !isRecord(value.resources)) {
    throw new SandboxError(
      'SB_POLICY_INVALID',
      `sandbox-bundle: "${source}" is not a LavaMoat policy: expected an object with a "resources" object. Pass LavaMoat's policy.json (e.g. lavamoat/node/policy.json).`,
    );
  }
  const warnings: string[] = [];
  for (const key of Object.keys(value)) {
    if (key === 'resources') continue;
    const why = Object.hasOwn(TOP_LEVEL_DROPS, key) ? TOP_LEVEL_DROPS[key] : 'not a field sandbox-bundle knows';
    warnings.push(`${key}: dropped (${why})`);
  }

  const resources = new Map<string, PackagePolicy>();
  for (const [rawName, rawEntry] of Object.entries(value.resources)) {
    const name = rawName === LAVAMOAT_ROOT ? ROOT_PACKAGE : rawName;
    const at = `resources[${JSON.stringify(rawName)}]`;
    if (!isRecord(rawEntry)) {
      warnings.push(`${at}: dropped (expected an object, got ${describe(rawEntry)})`);
      continue;
    }
    const entry = convertEntry(rawEntry, at, warnings);
    const known = resources.get(name);
    if (known) warnings.push(`${at}: merged into resources["${name}"], which the file also has (its grants win where both name the same key)`);
    resources.set(name, known ? mergeEntries(entry, known) : entry);
  }
  const policy = assertPolicy({ resources: toSortedRecord(resources) }, `${source} (converted)`);
  return { policy, warnings };
}

function convertEntry(raw: Record<string, unknown>, at: string, warnings: string[]): PackagePolicy {
  const entry: PackagePolicy = {};
  for (const [field, content] of Object.entries(raw)) {
    const where = `${at}.${field}`;
    switch (field) {
      case 'globals':
        if (isRecord(content)) entry.globals = convertMap<GlobalGrant>(content, where, warnings, convertGlobalGrant);
        else warnings.push(`${where}: dropped (expected an object, got ${describe(content)})`);
        break;
      case 'builtin':
        if (isRecord(content)) entry.builtin = convertMap<boolean>(content, where, warnings, convertBuiltinGrant);
        else warnings.push(`${where}: dropped (expected an object, got ${describe(content)})`);
        break;
      case 'packages':
        if (isRecord(content)) entry.packages = convertMap<PackageGrant>(content, where, warnings, convertPackageGrant, (key) => (key === LAVAMOAT_ROOT ? ROOT_PACKAGE : key));
        else warnings.push(`${where}: dropped (expected an object, got ${describe(content)})`);
        break;
      case 'native':
        if (typeof content === 'boolean') entry.native = content;
        else warnings.push(`${where}: dropped (expected true or false, got ${describe(content)})`);
        break;
      default: {
        const why = Object.hasOwn(PACKAGE_DROPS, field) ? PACKAGE_DROPS[field] : 'not a field sandbox-bundle knows';
        warnings.push(`${where} (${describe(content)}): dropped (${why})`);
      }
    }
  }
  return entry;
}

type Converted<V> = { value: V; note?: string } | { drop: string };

function convertMap<V>(
  raw: Record<string, unknown>,
  at: string,
  warnings: string[],
  convert: (key: string, value: unknown) => Converted<V>,
  renameKey: (key: string) => string = (key) => key,
): Record<string, V> {
  const entries: [string, V][] = [];
  for (const [key, value] of Object.entries(raw)) {
    const where = `${at}[${JSON.stringify(key)}]`;
    const converted = convert(key, value);
    if ('drop' in converted) {
      warnings.push(`${where}: dropped (${converted.drop})`);
      continue;
    }
    if (converted.note) warnings.push(`${where}: ${converted.note}`);
    entries.push([renameKey(key), converted.value]);
  }
  return toSortedRecord(entries);
}

function convertGlobalGrant(_key: string, value: unknown): Converted<GlobalGrant> {
  if (value === true || value === false || value === 'write') return { value };
  if (value === 'read') return { value: true };
  if (value === 'redefine') return { value: 'write', note: '"redefine" became "write": the package may assign it but not redefine it with Object.defineProperty' };
  return { drop: `expected true, false, "read", "write" or "redefine", got ${describe(value)}` };
}

function convertBuiltinGrant(key: string, value: unknown): Converted<boolean> {
  if (key === 'require') return { drop: '"require" is not a Node.js builtin: every package gets its own scoped require, and what it may load is decided by builtin and packages' };
  if (typeof value === 'boolean') return { value };
  return { drop: `expected true or false, got ${describe(value)}; grant the builtin or its members by hand in policy-override.json` };
}

function convertPackageGrant(_key: string, value: unknown): Converted<PackageGrant> {
  if (value === true || value === false || value === 'write') return { value };
  return { drop: `expected true or false, got ${describe(value)}` };
}

/** Field by field, `first` winning where both name a key. */
function mergeEntries(first: PackagePolicy, second: PackagePolicy): PackagePolicy {
  const merged: PackagePolicy = {};
  const globals = { ...second.globals, ...first.globals };
  const builtin = { ...second.builtin, ...first.builtin };
  const packages = { ...second.packages, ...first.packages };
  if (Object.keys(builtin).length) merged.builtin = toSortedRecord(Object.entries(builtin));
  if (Object.keys(globals).length) merged.globals = toSortedRecord(Object.entries(globals));
  const native = first.native ?? second.native;
  if (native !== undefined) merged.native = native;
  if (Object.keys(packages).length) merged.packages = toSortedRecord(Object.entries(packages));
  return merged;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value) ?? String(value);
}
