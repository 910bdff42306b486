// Policy serialization: the one byte-stable text form every policy file sandbox-bundle writes takes.
import type { PolicyFile } from './types.js';

/**
 * JSON with every object's keys in code-unit order, two-space indentation and a trailing newline,
 * so regenerating an unchanged app rewrites identical bytes and a changed one gives a minimal diff.
 */
export function stringifyPolicy(policy: PolicyFile): string {
  return `${JSON.stringify(sortKeys(policy), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // Object.fromEntries defines own properties, so a key such as "__proto__" stays a plain key.
  return Object.fromEntries(keys.map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}
