// Policy generation: bundle the app once to find every reachable module, inspect each dependency module, and turn what they ask for into a policy plus the evidence behind it.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { SandboxError } from '../errors.js';
import { ROOT_PACKAGE } from '../names.js';
import { findPackageRoot } from '../options.js';
import type { PackagePolicy, PolicyFile } from '../policy/types.js';
import { toSortedRecord } from '../policy/resolve-runtime-policy.js';
import { createPackageGraph, type PackageGraph } from '../transform/package-graph.js';
import { inspectAuthority, type DoorKind, type ModuleAuthority, type Site } from './inspect-authority.js';

export interface GeneratePolicyRequest {
  /** The app's entry file. */
  entry: string;
  /** The app directory (its package.json is the root package). Default: the nearest package.json above the entry. */
  root?: string;
  /** Base for relative paths. Default: process.cwd(). */
  cwd?: string;
  /**
   * Which packages to inspect (all by default). `explain` inspects one package and its importers only;
   * the import graph always covers every module.
   */
  inspect?: (packageName: string) => boolean;
}

/** Where in the app something was asked for: an absolute file path and a 1-based position. */
export interface Evidence extends Site {
  file: string;
}

export interface PackageDoor {
  kind: DoorKind;
  permission: string;
  sites: Evidence[];
}

export interface PackageUnresolved {
  reason: string;
  code: string;
  site: Evidence;
}

/** Everything the analysis found for one package, with the sites behind each permission. */
export interface PackageFindings {
  name: string;
  dir: string;
  /** Inspected files, sorted. */
  files: string[];
  /** Global grants after reduction (`process` swallows `process.env`), each with every site that asked. */
  globals: Map<string, { write: boolean; sites: Evidence[] }>;
  builtin: Map<string, Evidence[]>;
  packages: Map<string, Evidence[]>;
  /** Packages whose exports this package changes: granted `"write"`. */
  exportWrites: Map<string, Evidence[]>;
  native: Evidence[];
  /** Hidden doors asked for: never granted (DESIGN section 3). */
  doors: PackageDoor[];
  unresolved: PackageUnresolved[];
}

/** One module of `from` importing a module of `to` (`line` when the importer was inspected). */
export interface ImportEdge {
  from: string;
  to: string;
  file: string;
  line?: number;
}

export interface PolicyGeneration {
  /** The app directory. */
  root: string;
  /** The generated policy: grants found, and `false` for each hidden door asked for (a recorded "no"). */
  policy: PolicyFile;
  /** Inspected packages by canonical name, sorted. */
  packages: Map<string, PackageFindings>;
  /** Import edges between different packages, by imported package. */
  importers: Map<string, ImportEdge[]>;
  /** Every module in the bundle, the app's own included. */
  moduleCount: number;
  /** Modules inspected (dependency JavaScript). */
  inspectedCount: number;
  warnings: string[];
  timings: { bundleMs: number; inspectMs: number };
}

const JS_EXTENSIONS = /\.(?:[cm]?js|jsx|[cm]?ts|tsx)$/;

/** Bundles the app (in memory) and inspects every dependency module it reaches. */
export async function generatePolicy(request: GeneratePolicyRequest): Promise<PolicyGeneration> {
  const cwd = request.cwd ?? process.cwd();
  const entry = path.resolve(cwd, request.entry);
  if (!fs.existsSync(entry) || !fs.statSync(entry).isFile()) {
    throw new SandboxError('SB_ENTRY_NOT_FOUND', `sandbox-bundle: entry file "${request.entry}" does not exist (looked at "${entry}"). Pass the path of your app's main file.`);
  }
  const root = path.resolve(cwd, request.root ?? findPackageRoot(path.dirname(entry)) ?? path.dirname(entry));
  const graph = createPackageGraph(root);

  const bundleStart = performance.now();
  const inputs = await findReachableModules(entry, root);
  const bundleMs = performance.now() - bundleStart;

  const inspectStart = performance.now();
  const warnings: string[] = [];
  const findings = new Map<string, PackageFindings>();
  const importers = new Map<string, ImportEdge[]>();
  const lines = new Map<string, Map<string, number>>();
  let inspectedCount = 0;

  for (const [file, input] of inputs) {
    const owner = graph.identify(file);
    if (!owner) {
      warnings.push(`"${file}" is outside the app and every package it depends on; it was not inspected.`);
      continue;
    }
    if (owner.name === ROOT_PACKAGE || !JS_EXTENSIONS.test(file)) continue;
    if (request.inspect && !request.inspect(owner.name)) continue;
    inspectedCount++;
    const authority = inspectAuthority(fs.readFileSync(file, 'utf8'), file);
    const found = findingsFor(findings, owner.name, owner.dir);
    found.files.push(file);
    const specifierLines = new Map<string, number>();
    lines.set(file, specifierLines);
    addAuthority(found, authority, file, (specifier) => resolveSpecifier(input, file, specifier), graph, specifierLines);
  }

  // Import edges come from the bundle, so the app's own modules count as importers too.
  for (const [file, input] of inputs) {
    const from = graph.identify(file);
    if (!from) continue;
    for (const imported of input.imports) {
      if (imported.resolved === undefined) continue;
      const to = graph.identify(imported.resolved);
      if (!to || to.name === from.name) continue;
      const edges = importers.get(to.name) ?? [];
      importers.set(to.name, edges);
      const line = lines.get(file)?.get(imported.specifier);
      if (!edges.some((edge) => edge.from === from.name && edge.file === file)) edges.push({ from: from.name, to: to.name, file, ...(line ? { line } : {}) });
    }
  }
  for (const edges of importers.values()) edges.sort((a, b) => compare(a.from, b.from) || compare(a.file, b.file));

  const sorted = new Map([...findings].sort(([a], [b]) => compare(a, b)));
  for (const found of sorted.values()) reduceFindings(found);
  return {
    root,
    policy: toPolicy(sorted),
    packages: sorted,
    importers,
    moduleCount: inputs.size,
    inspectedCount,
    warnings,
    timings: { bundleMs, inspectMs: performance.now() - inspectStart },
  };
}

interface ReachableModule {
  imports: { specifier: string; resolved: string | undefined }[];
}

/**
 * The modules the app's bundle would contain, from an esbuild build that writes nothing. The sandbox
 * plugin is left out on purpose: reachability is plain resolution, and the plugin needs a policy.
 * `.node` files load as empty modules so native addons show up as modules instead of failing the build.
 */
async function findReachableModules(entry: string, root: string): Promise<Map<string, ReachableModule>> {
  const esbuild = await import('esbuild');
  const build = (format: 'cjs' | 'esm') =>
    esbuild.build({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format,
      write: false,
      metafile: true,
      logLevel: 'silent',
      loader: { '.node': 'empty' },
    });
  let metafile: import('esbuild').Metafile;
  try {
    // The output format changes no resolution, only what esbuild accepts: cjs output cannot hold a
    // top-level await, esm output cannot hold a sloppy module's `with`. So cjs, as before, and esm
    // only when top-level await is all cjs refused.
    metafile = (await build('cjs').catch((error: unknown) => (onlyTopLevelAwait(error) ? build('esm') : Promise.reject(error)))).metafile;
  } catch (error) {
    const failure = error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] };
    if (!failure.errors?.length) throw error;
    const list = failure.errors.map((e) => `  - ${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ''}${e.text}`);
    throw new SandboxError(
      'SB_BUILD_FAILED',
      `sandbox-bundle: cannot find the app's modules: esbuild failed with ${list.length} error${list.length > 1 ? 's' : ''}. Fix what it names (the app must bundle before a policy can be generated):\n${list.join('\n')}`,
      { cause: error },
    );
  }
  const modules = new Map<string, ReachableModule>();
  for (const [key, input] of Object.entries(metafile.inputs)) {
    // Namespaced inputs ("(disabled):x", "<stdin>") are not files.
    if (/^[a-z-]*:|^\(|^</i.test(key)) continue;
    const file = path.resolve(root, key);
    modules.set(file, {
      imports: input.imports.map((imported) => ({
        specifier: imported.original ?? imported.path,
        resolved: imported.external || /^[a-z-]*:|^\(|^</i.test(imported.path) ? undefined : path.resolve(root, imported.path),
      })),
    });
  }
  return new Map([...modules].sort(([a], [b]) => compare(a, b)));
}

/** Did esbuild refuse the build only because a module uses top-level await, which its cjs output format cannot hold? */
function onlyTopLevelAwait(error: unknown): boolean {
  const errors = (error as { errors?: { text?: unknown }[] }).errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => typeof e.text === 'string' && /^Top-level await is (?:currently )?not supported with the "cjs" output format/.test(e.text));
}

/** Where a specifier of `file` leads: the bundle's own resolution first, Node's as a fallback (esbuild leaves some requires in `try` unresolved). */
function resolveSpecifier(input: ReachableModule, file: string, specifier: string): string | undefined {
  const known = input.imports.find((imported) => imported.specifier === specifier && imported.resolved !== undefined);
  if (known) return known.resolved;
  try {
    return createRequire(file).resolve(specifier);
  } catch {
    return undefined;
  }
}

function findingsFor(findings: Map<string, PackageFindings>, name: string, dir: string): PackageFindings {
  let found = findings.get(name);
  if (!found) {
    found = { name, dir, files: [], globals: new Map(), builtin: new Map(), packages: new Map(), exportWrites: new Map(), native: [], doors: [], unresolved: [] };
    findings.set(name, found);
  }
  return found;
}

function addAuthority(
  found: PackageFindings,
  authority: ModuleAuthority,
  file: string,
  resolve: (specifier: string) => string | undefined,
  graph: PackageGraph,
  specifierLines: Map<string, number>,
): void {
  const at = (site: Site): Evidence => ({ file, line: site.line, column: site.column });
  for (const [key, use] of authority.globals) {
    const entry = found.globals.get(key) ?? { write: false, sites: [] };
    entry.write ||= use.write;
    entry.sites.push(...use.sites.map(at));
    found.globals.set(key, entry);
  }
  for (const [key, sites] of authority.builtin) found.builtin.set(key, [...(found.builtin.get(key) ?? []), ...sites.map(at)]);
  for (const door of authority.doors) {
    const known = found.doors.find((d) => d.kind === door.kind && d.permission === door.permission);
    if (known) known.sites.push(at(door.site));
    else found.doors.push({ kind: door.kind, permission: door.permission, sites: [at(door.site)] });
  }
  for (const unresolved of authority.unresolved) found.unresolved.push({ reason: unresolved.reason, code: unresolved.code, site: at(unresolved.site) });
  for (const written of authority.exportWrites) {
    const resolved = resolve(written.specifier);
    const target = resolved === undefined || resolved.endsWith('.node') ? undefined : graph.identify(resolved);
    if (!target || target.name === found.name) continue;
    found.exportWrites.set(target.name, [...(found.exportWrites.get(target.name) ?? []), at(written.site)]);
  }
  for (const imported of authority.imports) {
    if (!specifierLines.has(imported.specifier)) specifierLines.set(imported.specifier, imported.site.line);
    const resolved = resolve(imported.specifier);
    if (resolved === undefined) {
      found.unresolved.push({
        reason: `"${imported.specifier}" does not resolve from this file (an optional dependency that is not installed?): nothing was granted for it`,
        code: imported.specifier,
        site: at(imported.site),
      });
      continue;
    }
    // A native addon is loaded by its own path, not granted as a package: it runs outside every sandbox.
    if (resolved.endsWith('.node')) {
      found.native.push(at(imported.site));
      continue;
    }
    const target = graph.identify(resolved);
    if (!target || target.name === found.name) continue;
    found.packages.set(target.name, [...(found.packages.get(target.name) ?? []), at(imported.site)]);
  }
}

/**
 * Drops paths a shorter granted path already covers (`process.env` under `process`), moving their
 * sites to it, so the policy says each thing once. A write is only covered by a write.
 */
function reduceFindings(found: PackageFindings): void {
  found.files.sort(compare);
  const globalKeys = [...found.globals.keys()].sort(compare);
  for (const key of globalKeys) {
    const entry = found.globals.get(key)!;
    const cover = ancestors(key).find((ancestor) => {
      const candidate = found.globals.get(ancestor);
      return candidate !== undefined && (candidate.write || !entry.write);
    });
    if (cover === undefined) continue;
    found.globals.get(cover)!.sites.push(...entry.sites);
    found.globals.delete(key);
  }
  for (const key of [...found.builtin.keys()].sort(compare)) {
    const cover = ancestors(key).find((ancestor) => found.builtin.has(ancestor));
    if (cover === undefined) continue;
    found.builtin.get(cover)!.push(...found.builtin.get(key)!);
    found.builtin.delete(key);
  }
  const bySite = (a: Evidence, b: Evidence) => compare(a.file, b.file) || a.line - b.line || a.column - b.column;
  for (const entry of found.globals.values()) entry.sites.sort(bySite);
  for (const sites of [...found.builtin.values(), ...found.packages.values(), ...found.exportWrites.values(), found.native]) sites.sort(bySite);
  for (const door of found.doors) door.sites.sort(bySite);
  found.doors.sort((a, b) => compare(a.kind, b.kind) || compare(a.permission, b.permission));
  found.unresolved.sort((a, b) => bySite(a.site, b.site));
  found.globals = new Map([...found.globals].sort(([a], [b]) => compare(a, b)));
  found.builtin = new Map([...found.builtin].sort(([a], [b]) => compare(a, b)));
  found.packages = new Map([...found.packages].sort(([a], [b]) => compare(a, b)));
  found.exportWrites = new Map([...found.exportWrites].sort(([a], [b]) => compare(a, b)));
}

/** `a.b.c` -> [`a`, `a.b`]. */
function ancestors(key: string): string[] {
  const parts = key.split('.');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('.'));
}

/**
 * Findings to policy. Hidden doors a package asked for are written as `false`: not a grant, but a
 * recorded decision, so `policy --check` can tell a door asked for since the policy was written from
 * one already reviewed. Module-system doors (`require.cache`) have no policy key: no policy can grant them.
 */
function toPolicy(findings: Map<string, PackageFindings>): PolicyFile {
  const resources: [string, PackagePolicy][] = [];
  for (const found of findings.values()) {
    const entry: PackagePolicy = {};
    const globals: [string, true | false | 'write'][] = [...found.globals].map(([key, use]) => [key, use.write ? 'write' : true]);
    const builtin: [string, boolean][] = [...found.builtin.keys()].map((key) => [key, true]);
    for (const door of found.doors) {
      if (door.kind === 'global' && !found.globals.has(door.permission)) globals.push([door.permission, false]);
      if (door.kind === 'builtin' && !found.builtin.has(door.permission)) builtin.push([door.permission, false]);
    }
    if (builtin.length > 0) entry.builtin = toSortedRecord(builtin);
    if (globals.length > 0) entry.globals = toSortedRecord(globals);
    if (found.native.length > 0) entry.native = true;
    // A package whose exports this one changes gets "write": the sandbox hands out read-only views otherwise (DESIGN section 4).
    if (found.packages.size > 0) entry.packages = toSortedRecord([...found.packages.keys()].map((name) => [name, found.exportWrites.has(name) ? ('write' as const) : (true as const)]));
    if (Object.keys(entry).length > 0) resources.push([found.name, entry]);
  }
  return { resources: toSortedRecord(resources) };
}

/** Code-unit order: the same on every machine, whatever its locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
