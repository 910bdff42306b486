// Newer LavaMoat policy fields: where a file uses them, so a failed load says to convert the file rather than fix each entry.
import { ROOT_PACKAGE } from '../names.js';

/** LavaMoat's other spelling of the app root. */
export const LAVAMOAT_ROOT = '$root';

/** Top-level fields of newer LavaMoat files, and why each has no equivalent here. */
export const TOP_LEVEL_DROPS: Record<string, string> = {
  moduleShims: 'sandbox-bundle does not replace modules; use a bundler alias',
  nativeModuleOverride: 'native addons are granted per package with "native": true',
  packageOverrides: 'put what you need from it in policy-override.json by hand',
  resolutions: 'modules resolve as the bundler resolves them; use a bundler alias',
  root: 'the app itself ("$root$") is always unrestricted',
  include: 'policies are not combined by reference; merge the files into policy-override.json',
};

/** Per-package fields of newer LavaMoat files, and why each has no equivalent here. */
export const PACKAGE_DROPS: Record<string, string> = {
  environment:
    'every package runs in its own compartment after lockdown; a package that must change shared intrinsics goes in beforeLockdown (--before-lockdown)',
  moduleSystem: 'the bundler reads each module\'s format from its code',
  type: 'the bundler reads each module\'s format from its code',
};

/**
 * Where `value` uses fields of newer LavaMoat files that our format does not read, as
 * `<key path>: <field>` lines; empty for a plain LavaMoat (or sandbox-bundle) policy.
 */
export function findLavaMoatFeatures(value: unknown): string[] {
  if (!isRecord(value)) return [];
  const found: string[] = [];
  for (const key of Object.keys(value)) if (Object.hasOwn(TOP_LEVEL_DROPS, key)) found.push(`${key}: a LavaMoat field`);
  const resources = value.resources;
  if (!isRecord(resources)) return found;
  for (const [name, entry] of Object.entries(resources)) {
    const at = `resources[${JSON.stringify(name)}]`;
    if (name === LAVAMOAT_ROOT) found.push(`${at}: LavaMoat's spelling of "${ROOT_PACKAGE}"`);
    if (!isRecord(entry)) continue;
    for (const key of Object.keys(entry)) if (Object.hasOwn(PACKAGE_DROPS, key)) found.push(`${at}.${key}: a LavaMoat field`);
    if (isRecord(entry.packages) && Object.hasOwn(entry.packages, LAVAMOAT_ROOT)) found.push(`${at}.packages["${LAVAMOAT_ROOT}"]: LavaMoat's spelling of "${ROOT_PACKAGE}"`);
    if (isRecord(entry.builtin)) {
      for (const [key, grant] of Object.entries(entry.builtin)) {
        if (key === 'require' || isRecord(grant)) found.push(`${at}.builtin[${JSON.stringify(key)}]: a LavaMoat builtin form`);
      }
    }
    if (isRecord(entry.globals)) {
      for (const [key, grant] of Object.entries(entry.globals)) {
        if (grant === 'read' || grant === 'redefine') found.push(`${at}.globals[${JSON.stringify(key)}]: LavaMoat's "${grant}"`);
      }
    }
  }
  return found;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
