// Policy comparison: what the code needs that a committed policy lacks, and what the policy grants that the code no longer uses.
import type { PackagePolicy, PolicyFile } from './types.js';
import { describeDanger, type GrantField } from './dangerous-grants.js';
import { normalizeBuiltinName } from './resolve-runtime-policy.js';

/** One grant as a line of a diff: `builtin` `fs.readFile` `true`. */
export interface Grant {
  field: GrantField;
  /** The path (`process.env`), package name, or `native`. */
  key: string;
  value: true | 'write';
  /** Set when the grant is dangerous (describeDanger). */
  danger?: string;
}

/** A hidden door the code asks for that the policy does not mention at all (neither granted nor recorded as `false`). */
export interface Door {
  field: 'globals' | 'builtin';
  key: string;
}

export interface PackageDiff {
  name: string;
  /** Needed by the code and not covered by the effective policy. */
  added: Grant[];
  /** Granted by the policy file and no longer needed by anything the code does. */
  removed: Grant[];
  /** Hidden doors asked for that the policy has never decided on. */
  doors: Door[];
}

/**
 * Compares `needed` (a generated policy, where `false` marks a hidden door asked for) with the
 * committed policy. Coverage is judged on `effective` (the policy with its override merged), the way
 * the runtime judges it: a grant covers its members (`fs` covers `fs.readFile`), a write covers a read,
 * and a package is covered only by its exact name. Removal is judged on `committed` alone: a hand
 * grant in policy-override.json is the person's business, not stale output. Packages are returned in
 * name order, only those with a difference.
 */
export function diffPolicies(needed: PolicyFile, committed: PolicyFile, effective: PolicyFile = committed): PackageDiff[] {
  const names = new Set([...Object.keys(needed.resources), ...Object.keys(committed.resources)]);
  const diffs: PackageDiff[] = [];
  for (const name of [...names].sort(compare)) {
    const want = own(needed.resources, name) ?? {};
    const have = own(effective.resources, name) ?? {};
    const written = own(committed.resources, name) ?? {};
    const diff: PackageDiff = {
      name,
      added: grantsOf(want).filter((grant) => !covers(have, grant)),
      removed: grantsOf(written).filter((grant) => !isStillUsed(want, grant)),
      doors: doorsOf(want).filter((door) => !mentions(have, door)),
    };
    if (diff.added.length || diff.removed.length || diff.doors.length) diffs.push(diff);
  }
  return diffs;
}

/** Every grant of a policy entry (values `true` and `"write"`), with its danger, in field then key order. */
export function grantsOf(entry: PackagePolicy): Grant[] {
  const grants: Grant[] = [];
  const add = (field: GrantField, key: string, value: unknown) => {
    if (value !== true && value !== 'write') return;
    const danger = describeDanger(field, key, value);
    grants.push({ field, key, value, ...(danger ? { danger } : {}) });
  };
  for (const [key, value] of sortedEntries(entry.builtin)) add('builtin', key, value);
  for (const [key, value] of sortedEntries(entry.globals)) add('globals', key, value);
  if (entry.native === true) add('native', 'native', true);
  for (const [key, value] of sortedEntries(entry.packages)) add('packages', key, value);
  return grants;
}

function doorsOf(entry: PackagePolicy): Door[] {
  const doors: Door[] = [];
  for (const [key, value] of sortedEntries(entry.builtin)) if (value === false) doors.push({ field: 'builtin', key });
  for (const [key, value] of sortedEntries(entry.globals)) if (value === false) doors.push({ field: 'globals', key });
  return doors;
}

/** Does the entry grant `grant`, itself or through a shorter path? */
export function covers(entry: PackagePolicy, grant: Grant): boolean {
  switch (grant.field) {
    case 'native':
      return entry.native === true;
    case 'packages': {
      const value = own(entry.packages ?? {}, grant.key);
      return value === 'write' || (value === true && grant.value === true);
    }
    case 'globals':
      return selfAndAncestors(grant.key).some((key) => {
        const value = own(entry.globals ?? {}, key);
        return value === 'write' || (value === true && grant.value === true);
      });
    case 'builtin': {
      const granted = normalizedBuiltins(entry);
      return selfAndAncestors(normalizeBuiltinName(grant.key)).some((key) => granted.get(key) === true);
    }
  }
}

/** A door counts as decided when the policy names it (with any value), or names a builtin module or member above it. */
function mentions(entry: PackagePolicy, door: Door): boolean {
  if (door.field === 'globals') return own(entry.globals ?? {}, door.key) !== undefined;
  const named = normalizedBuiltins(entry);
  return selfAndAncestors(normalizeBuiltinName(door.key)).some((key) => named.has(key));
}

/** A granted path is still used when the code needs it, something under it, or something above it. */
function isStillUsed(needed: PackagePolicy, grant: Grant): boolean {
  switch (grant.field) {
    case 'native':
      return needed.native === true;
    case 'packages':
      return grantValue(needed.packages, grant.key) !== undefined;
    case 'globals':
    case 'builtin': {
      const key = grant.field === 'builtin' ? normalizeBuiltinName(grant.key) : grant.key;
      const keys = Object.entries((grant.field === 'builtin' ? needed.builtin : needed.globals) ?? {})
        .filter(([, value]) => value === true || value === 'write')
        .map(([k]) => (grant.field === 'builtin' ? normalizeBuiltinName(k) : k));
      return keys.some((k) => k === key || k.startsWith(`${key}.`) || key.startsWith(`${k}.`));
    }
  }
}

function grantValue(map: Record<string, unknown> | undefined, key: string): unknown {
  const value = own(map ?? {}, key);
  return value === true || value === 'write' ? value : undefined;
}

function normalizedBuiltins(entry: PackagePolicy): Map<string, boolean> {
  return new Map(Object.entries(entry.builtin ?? {}).map(([key, value]) => [normalizeBuiltinName(key), value]));
}

/** `a.b.c` -> [`a.b.c`, `a.b`, `a`]. */
function selfAndAncestors(key: string): string[] {
  const parts = key.split('.');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('.'));
}

function sortedEntries<V>(map: Record<string, V> | undefined): [string, V][] {
  return Object.entries(map ?? {}).sort(([a], [b]) => compare(a, b));
}

/** Own entries only: a package named "constructor" must not find Object.prototype.constructor. */
function own<V>(record: Record<string, V>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
