// Text for people about policies: generation findings, --check diffs and explain pages. Pure functions; the commands print them.
import path from 'node:path';
import type { Evidence, PackageFindings, PolicyGeneration } from '../analysis/generate-policy.js';
import { MODULE_SYSTEM_DOORS } from '../analysis/permission-paths.js';
import { grantsOf, type Grant, type PackageDiff } from '../policy/diff-policy.js';
import { normalizeBuiltinName } from '../policy/resolve-runtime-policy.js';
import type { PackagePolicy } from '../policy/types.js';

/** The mark of a dangerous grant in every listing. */
export const DANGER_MARK = '!';

/** Shows at most this many sites per permission; the rest are counted. */
const MAX_SITES = 3;

/** `node_modules/x/index.js:3` relative to the app, with forward slashes on every OS. */
export function formatSite(root: string, site: Evidence): string {
  return `${toPosix(path.relative(root, site.file))}:${site.line}`;
}

/** Distinct `file:line` sites (several uses on one line read as one), the first few shown and the rest counted. */
export function formatSites(root: string, sites: readonly Evidence[]): string {
  const distinct = [...new Set(sites.map((site) => formatSite(root, site)))];
  const shown = distinct.slice(0, MAX_SITES);
  return distinct.length > MAX_SITES ? `${shown.join(', ')} (+${distinct.length - MAX_SITES} more)` : shown.join(', ');
}

/**
 * What generation found that is not a grant, one message per line: hidden doors (not granted),
 * module-system doors (never available), code the analysis cannot resolve, and warnings.
 */
export function formatFindings(generation: PolicyGeneration): string[] {
  const lines: string[] = [];
  const root = generation.root;
  for (const found of generation.packages.values()) {
    for (const door of found.doors) {
      const where = formatSites(root, door.sites);
      if (MODULE_SYSTEM_DOORS.has(door.permission)) {
        lines.push(`package "${found.name}" uses ${door.permission} at ${where}; the sandbox's ${door.permission.split('.')[0]} has no such member and no policy can grant it, so the package sees undefined there.`);
      } else {
        const field = door.kind === 'global' ? 'globals' : 'builtin';
        lines.push(
          `package "${found.name}" asked for ${door.permission} at ${where}; not granted (written as ${field}["${door.permission}"]: false), grant it by hand in policy-override.json if you trust it.`,
        );
      }
    }
    if (found.unresolved.length > 0) {
      const items = found.unresolved.map((u) => `    ${formatSite(root, u.site)}: ${u.code ? `${u.code} -- ` : ''}${u.reason}`);
      lines.push(
        `package "${found.name}" has ${found.unresolved.length} place${found.unresolved.length === 1 ? '' : 's'} the analysis cannot resolve; nothing was granted for ${found.unresolved.length === 1 ? 'it' : 'them'} (grant what they need by hand in policy-override.json, after reading the code):\n${items.join('\n')}`,
      );
    }
  }
  lines.push(...generation.warnings);
  return lines;
}

/** One grant as a listing line: `! builtin   child_process.spawn   runs other programs`. */
function formatGrant(grant: Grant | { field: string; key: string; value?: unknown; danger?: string }): string {
  const mark = grant.danger ? DANGER_MARK : ' ';
  const key = grant.field === 'native' ? 'native' : grant.value === 'write' ? `${grant.key} (write)` : grant.key;
  return `${mark} ${grant.field.padEnd(8)} ${key.padEnd(28)}${grant.danger ? ` ${grant.danger}` : ''}`;
}

/** Sites behind a grant: what the analysis found at the grant's path or under it. */
export function sitesFor(found: PackageFindings | undefined, grant: { field: string; key: string; value?: unknown }): Evidence[] {
  if (!found) return [];
  const under = (key: string, granted: string) => key === granted || key.startsWith(`${granted}.`);
  switch (grant.field) {
    case 'native':
      return found.native;
    case 'packages':
      // For "write", the lines that change the exports say why; for a plain grant, the imports do.
      return (grant.value === 'write' ? found.exportWrites.get(grant.key) : undefined) ?? found.packages.get(grant.key) ?? [];
    case 'globals':
      return [...found.globals].filter(([key]) => under(key, grant.key)).flatMap(([, use]) => use.sites);
    case 'builtin': {
      const granted = normalizeBuiltinName(grant.key);
      return [...found.builtin].filter(([key]) => under(normalizeBuiltinName(key), granted)).flatMap(([, sites]) => sites);
    }
    default:
      return [];
  }
}

export interface CheckReport {
  text: string;
  /** The code needs something the policy lacks (or a hidden door nobody decided on): exit 1. */
  failed: boolean;
}

/** The readable diff of `policy --check`: per package, `+` missing grants, `-` unused ones, `?` undecided hidden doors. */
export function formatCheck(diffs: readonly PackageDiff[], generation: PolicyGeneration, policyLabel: string): CheckReport {
  const root = generation.root;
  const lines: string[] = [];
  let missing = 0;
  let unused = 0;
  let doors = 0;
  const failing = new Set<string>();
  for (const diff of diffs) {
    const found = generation.packages.get(diff.name);
    const gone = !found && !generation.importers.has(diff.name);
    lines.push(`${diff.name}${gone ? '  (not in the bundle any more)' : ''}`);
    for (const grant of diff.added) {
      const sites = formatSites(root, sitesFor(found, grant));
      lines.push(`  + ${formatGrant(grant)}${sites ? `  at ${sites}` : ''}`.trimEnd());
    }
    for (const door of diff.doors) {
      const sites = formatSites(root, found?.doors.find((d) => d.permission === door.key)?.sites ?? []);
      lines.push(`  ? ${formatGrant({ field: door.field, key: door.key, danger: 'hidden door, asked for but never granted by generation' })}${sites ? `  at ${sites}` : ''}`.trimEnd());
    }
    for (const grant of diff.removed) lines.push(`  - ${formatGrant(grant)}`.trimEnd());
    missing += diff.added.length;
    doors += diff.doors.length;
    unused += diff.removed.length;
    if (diff.added.length || diff.doors.length) failing.add(diff.name);
  }
  const unresolved = [...generation.packages.values()].reduce((sum, found) => sum + found.unresolved.length, 0);
  const legend = `  + needed by the code, missing from the policy   - granted, no longer needed   ? hidden door nobody decided on   ${DANGER_MARK} dangerous`;
  const notes: string[] = [];
  if (unresolved > 0) notes.push(`${unresolved} place${unresolved === 1 ? '' : 's'} in the code could not be resolved by the analysis (sandbox-bundle policy lists them); no policy check can cover them.`);
  if (failing.size === 0) {
    const head = `sandbox-bundle: ${policyLabel} covers what the code needs (${generation.packages.size} package${generation.packages.size === 1 ? '' : 's'} inspected).`;
    const tail = unused > 0 ? [`${unused} grant${unused === 1 ? ' is' : 's are'} no longer needed: regenerate with sandbox-bundle policy to drop ${unused === 1 ? 'it' : 'them'}.`] : [];
    return { failed: false, text: [head, ...(lines.length ? [legend, '', ...lines, ''] : []), ...tail, ...notes].join('\n') + '\n' };
  }
  const parts = [missing > 0 ? `${missing} grant${missing === 1 ? '' : 's'}` : '', doors > 0 ? `${doors} hidden-door decision${doors === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ');
  const head = `sandbox-bundle: ${policyLabel} lacks ${parts} the code now needs, in ${failing.size} package${failing.size === 1 ? '' : 's'}.`;
  const fix =
    'Review the lines marked + and ?, then run sandbox-bundle policy <entry> to regenerate the policy (hidden doors are recorded as false; grant one by hand in policy-override.json only if you trust the package).';
  return { failed: true, text: [head, legend, '', ...lines, '', fix, ...notes].join('\n') + '\n' };
}

export interface ExplainInput {
  name: string;
  generation: PolicyGeneration;
  /** The effective policy entry (policy + override), if any. */
  entry: PackagePolicy | undefined;
  /** What the policy is, for the header: `sandbox-policy.json + policy-override.json`, or a note that there is none. */
  policyLabel: string;
  /** Needed grants the policy lacks (from diffPolicies). */
  diff: PackageDiff | undefined;
  /** Other canonical names of the same npm package (two versions in the tree). */
  otherVersions: string[];
}

/** The explain page: what a package may do, why (files and lines), and who imports it. */
export function formatExplain(input: ExplainInput): string {
  const { name, generation, entry, diff } = input;
  const root = generation.root;
  const found = generation.packages.get(name);
  const lines: string[] = [];
  const dir = found ? toPosix(path.relative(root, found.dir)) : undefined;
  lines.push(`${name}${dir ? `  (${dir}, ${found!.files.length} module${found!.files.length === 1 ? '' : 's'} in the bundle)` : ''}`);
  lines.push(`  policy: ${input.policyLabel}`);
  if (input.otherVersions.length) lines.push(`  other copies in the bundle: ${input.otherVersions.join(', ')} (explained separately)`);
  lines.push('');

  const granted = entry ? grantsOf(entry) : [];
  lines.push('may use');
  if (granted.length === 0) lines.push('  nothing: the policy grants this package nothing');
  for (const grant of granted) {
    const sites = formatSites(root, sitesFor(found, grant));
    lines.push(`  ${formatGrant(grant)}  ${sites ? `asked for at ${sites}` : 'not found in the code (granted by hand, or no longer used)'}`);
  }

  if (diff && diff.added.length > 0) {
    lines.push('', 'needs, but the policy does not grant');
    for (const grant of diff.added) lines.push(`  ${formatGrant(grant)}  asked for at ${formatSites(root, sitesFor(found, grant))}`);
  }

  if (found && found.doors.length > 0) {
    lines.push('', 'asked for, never granted by generation (hidden doors)');
    for (const door of found.doors) {
      const hint = MODULE_SYSTEM_DOORS.has(door.permission) ? 'no policy can grant it' : 'grant it by hand in policy-override.json if you trust the package';
      lines.push(`  ${DANGER_MARK} ${door.permission.padEnd(37)} at ${formatSites(root, door.sites)}; ${hint}`);
    }
  }

  if (found && found.unresolved.length > 0) {
    lines.push('', 'not resolved by the analysis (nothing granted for these)');
    for (const u of found.unresolved) lines.push(`  ${formatSite(root, u.site)}: ${u.code ? `${u.code} -- ` : ''}${u.reason}`);
  }

  lines.push('', 'imported by');
  const edges = generation.importers.get(name) ?? [];
  if (edges.length === 0) lines.push('  nothing in the bundle');
  for (const edge of edges) {
    lines.push(`  ${edge.from.padEnd(20)} ${toPosix(path.relative(root, edge.file))}${edge.line ? `:${edge.line}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
