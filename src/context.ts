// The bundler-neutral hook table: both plugins translate their hooks into these calls and nothing else.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SandboxError } from './errors.js';
import { RESERVED_PREFIX, ROOT_PACKAGE, SCOPE_SPECIFIER } from './names.js';
import type { OutputFormat, ResolvedOptions } from './options.js';
import { assertPolicy, loadPolicyWithOverride, resolveRuntimePolicy, type PolicyFile, type RuntimePolicy } from './policy/index.js';
import { inspectModule, type ModuleFacts } from './analysis/inspect-module.js';
import { NO_FACTS_CACHE, openFactsCache, sourceHash } from './analysis/facts-cache.js';
import { isNamedWithoutGrant } from './runtime/denied-builtins.js';
import { createPackageGraph, readManifest, type PackageGraph, type PackageIdentity } from './transform/package-graph.js';
import { withInlineSourceMap, wrapModule, type SpecifierRewrite } from './transform/wrap-module.js';
import { openWrappedTree, type WrappedCopy, type WrappedTree } from './transform/wrapped-tree.js';
import { createRequire } from 'node:module';
import { generateGateModule, generateScopeModule, generateStartModule, isEsmGate, RESERVED_LINKS, RUNTIME_ID, SES_SPECIFIER, START_ID, type Gate, type GeneratedLinks } from './transform/generated-modules.js';

const BUILTINS = new Set(builtinModules);

export type ImportKind = 'entry' | 'import' | 'require' | 'dynamic-import' | 'require-resolve';

/** What a bundler's own resolver found for a specifier. */
export type BundlerResolution = { file: string } | { external: true } | { missing: true };

/** The bundler's own resolver, for the context to settle a dependency's imports while wrapping it. */
export type BundlerResolver = (specifier: string, fromDir: string, kind: ImportKind, importer: string) => Promise<BundlerResolution>;

/** How the adapter should answer its bundler's resolve hook. */
export type Resolution =
  | { type: 'generated'; id: string }
  | { type: 'file'; file: string }
  | { type: 'external'; specifier: string }
  | { type: 'default' };

export interface ResolveRequest {
  specifier: string;
  /** Absolute path of the importing file, or a generated module's id. */
  importer: string | undefined;
  importerIsGenerated: boolean;
  kind: ImportKind;
  /** The bundler's own resolution, used for dependency importers. */
  resolve(specifier: string, fromDir: string): Promise<BundlerResolution>;
}

export interface BuildTarget {
  format: OutputFormat;
  /**
   * Module syntax of the generated start module (default: `format`). Rollup runs ES modules before
   * the CommonJS code it wraps (strictRequires), so its start module must be ESM to run first.
   */
  startFormat?: OutputFormat;
  /** Absolute output directory: module paths in the bundle are stored relative to it. */
  outdir: string;
  /** Absolute paths of the user's entry files. */
  entries: readonly string[];
  sourceMap: boolean;
  /**
   * The adapter lets its bundler resolve absolute specifiers without asking the context (esbuild:
   * each hook call is a round trip to its Go process). transformFile then settles what it can in
   * the source: a relative import of the package's own plain file becomes that file's absolute
   * path, and an absolute specifier written by the package becomes relative, so it is checked.
   */
  bundlerResolvesAbsolutePaths?: boolean;
  /**
   * esbuild, whose every hook call is a round trip to its Go process: dependency modules are wrapped
   * into files of a tree in the cache directory (see transform/wrapped-tree.ts), generated modules
   * are files there too, and every import the context can decide is settled to a path, so esbuild
   * reads the modules itself. The adapter must keep its load hook off the tree (`wrappedTreeDir`)
   * and still send every other file through transformFile. `bundlerOptionsKey` names the bundler
   * options the wrapped text depends on. Needs bundlerResolvesAbsolutePaths and a cache directory;
   * without one, the hooks do the work.
   */
  wrappedTree?: { resolve: BundlerResolver; bundlerOptionsKey: string };
}

export interface BuildWarning {
  text: string;
  file: string;
  line: number;
  column: number;
}

export interface TransformedFile {
  code: string;
  map?: object;
  warnings?: BuildWarning[];
}

/** 1-based line and 0-based column of an offset. */
function positionOf(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) };
}

export interface SandboxContext {
  readonly graph: PackageGraph;
  readonly policy: RuntimePolicy;
  resolveId(request: ResolveRequest): Promise<Resolution>;
  /** Source of a generated module by id, or undefined when the id is not ours. */
  loadGenerated(id: string): string | undefined;
  /** The directory of BuildTarget.wrappedTree, when the context writes one. */
  readonly wrappedTreeDir: string | undefined;
  /** The rewritten source of a JS file, or undefined to let the bundler load it unchanged. */
  transformFile(file: string, source: string): Promise<TransformedFile | undefined>;
  /** Warnings about modules wrapped into the tree (the bundler loads those without asking), since the last call. */
  takeTreeWarnings(): BuildWarning[];
  /** The build is over (a bundler in watch mode may start another): persist what is worth keeping. */
  finish(succeeded?: boolean): void;
}

/** The package root of sandbox-bundle itself: ses and the compiled runtime are found from here. */
export const TOOL_ROOT = (() => {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'sandbox-bundle') return dir;
    } catch {
      // not here: keep walking up
    }
    if (path.dirname(dir) === dir) throw new Error('sandbox-bundle: cannot find its own package directory');
  }
})();

const TOOL_VERSION: string = JSON.parse(fs.readFileSync(path.join(TOOL_ROOT, 'package.json'), 'utf8')).version;

/**
 * A hash of sandbox-bundle's own build code (the directory this module sits in): the wrapped tree
 * must not reuse modules an older wrapper made, and the version alone does not change between
 * builds of the tool itself.
 */
function toolCodeHash(): string {
  const hash = crypto.createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.[cm]?[jt]s$/.test(entry.name)) hash.update(path.relative(top, file)).update(fs.readFileSync(file));
    }
  };
  const top = path.dirname(fileURLToPath(import.meta.url));
  walk(top);
  return hash.digest('base64url');
}

/** A file `npm run build` compiles into sandbox-bundle's dist/ (the runtime shim, the patched ses). */
function builtFile(name: string): string {
  const file = path.join(TOOL_ROOT, 'dist', name);
  if (!fs.existsSync(file)) {
    throw new SandboxError('SB_BUILD_FAILED', `sandbox-bundle: the compiled file "${file}" is missing. Run "npm run build" in the sandbox-bundle package.`);
  }
  return file;
}

let runtimeSource: string | undefined;
function loadRuntimeSource(): string {
  runtimeSource ??= fs.readFileSync(builtFile('runtime.cjs'), 'utf8');
  return runtimeSource;
}

/**
 * The files the wrapper rewrites, under both bundlers: what Node runs as JavaScript (.js/.cjs/.mjs),
 * and extensionless files, which the bundlers load as JavaScript too.
 */
export function isScriptFile(file: string): boolean {
  return /\.[cm]?js$/.test(file) || path.extname(file) === '';
}

function isBuiltin(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  return BUILTINS.has(specifier);
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** The directory of the nearest package.json that has a name (skipping nameless `{"type": "module"}` ones). */
function namedPackageDirOf(file: string): string {
  for (let dir = path.dirname(fs.realpathSync(file)); ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name) return dir;
    } catch {
      // no package.json here: keep walking up
    }
    if (path.dirname(dir) === dir) return path.dirname(file);
  }
}

const LOCAL_EXTENSIONS = ['', '.js', '.json', '.cjs', '.mjs'];

/**
 * The fast path for the commonest import: a relative specifier naming a file of the importer's
 * own package (`./lib/util`, `../data.json`). Answered here without a round trip to the bundler's
 * resolver, which dominated the build's wall time on large trees. Only plain files qualify:
 * directories (their package.json `main` may point anywhere), nested node_modules and anything
 * outside the package go the slow, checked way.
 */
function resolveLocalFile(specifier: string, importerFile: string, owner: PackageIdentity, isRealDir: (dir: string) => boolean): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  if (specifier.includes('?') || specifier.includes('#')) return undefined;
  const base = path.resolve(path.dirname(importerFile), specifier);
  if (!base.startsWith(owner.dir + path.sep) || base.slice(owner.dir.length).includes(`${path.sep}node_modules${path.sep}`)) return undefined;
  for (const extension of LOCAL_EXTENSIONS) {
    const candidate = base + extension;
    // No exception per missing extension, and one realpath per directory: this runs for every
    // relative import of a large tree.
    const stats = fs.lstatSync(candidate, { throwIfNoEntry: false });
    if (!stats) continue;
    // A symlink (or a directory, whose package.json may point anywhere) takes the checked way;
    // so do `.node` addons and other files: only JavaScript and JSON qualify.
    if (stats.isSymbolicLink()) return undefined;
    if (!stats.isFile()) continue;
    return /\.(?:[cm]?js|json)$/.test(candidate) && isRealDir(path.dirname(candidate)) ? candidate : undefined;
  }
  return undefined;
}

/** Is a directory its own real path (no symlinked directory on the way)? Cached for one build. */
function realDirChecker(): (dir: string) => boolean {
  const realDirs = new Map<string, boolean>();
  return (dir) => {
    let real = realDirs.get(dir);
    if (real === undefined) {
      try {
        real = fs.realpathSync.native(dir) === dir;
      } catch {
        real = false;
      }
      realDirs.set(dir, real);
    }
    return real;
  };
}

/** `dir` is `root` or below it, and no directory from `dir` up to (not including) `root` has a node_modules. */
function isInsideWithoutNodeModules(dir: string, root: string, memo: Map<string, boolean>): boolean {
  if (dir !== root && !dir.startsWith(root + path.sep)) return false;
  for (let current = dir; current !== root; current = path.dirname(current)) {
    let has = memo.get(current);
    if (has === undefined) memo.set(current, (has = fs.existsSync(path.join(current, 'node_modules'))));
    if (has) return false;
  }
  return true;
}

/**
 * A specifier as the context checks it: an absolute path written by a package becomes relative to
 * the importer, since absolute specifiers are the context's own settled answers (see
 * BuildTarget.bundlerResolvesAbsolutePaths) and skip the checks.
 */
function checkedSpecifier(importerFile: string, specifier: string): string {
  if (!path.isAbsolute(specifier)) return specifier;
  const relative = toPosix(path.relative(path.dirname(importerFile), specifier));
  return relative.startsWith('../') ? relative : `./${relative}`;
}

/** Every import of a module whose specifier is a literal, with the span of that literal. */
function literalImportsOf(facts: ModuleFacts): { specifier: string; source: { start: number; end: number }; kind: ImportKind }[] {
  return [
    ...facts.staticImports.map((imp) => ({ specifier: imp.specifier, source: imp.source, kind: 'import' as const })),
    ...facts.requireCalls.map((call) => ({ specifier: call.specifier, source: call.source, kind: 'require' as const })),
    ...facts.dynamicImports.flatMap((imp) => (imp.specifier !== undefined && imp.source ? [{ specifier: imp.specifier, source: imp.source, kind: 'dynamic-import' as const }] : [])),
  ];
}

interface PackageFields {
  type?: string;
  sideEffects?: unknown;
}

/**
 * The fields of a file's nearest package.json that decide how it loads: `type`, as Node reads it
 * for .js files, and `sideEffects`, which esbuild reads. Cached per directory for one build.
 */
function packageFieldsReader(): (file: string) => PackageFields {
  const byDir = new Map<string, PackageFields>();
  const fieldsOfDir = (dir: string): PackageFields => {
    let fields = byDir.get(dir);
    if (fields) return fields;
    try {
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      fields = { type: json.type, sideEffects: json.sideEffects };
    } catch {
      // no (readable) package.json here: the one above decides
      fields = path.dirname(dir) === dir ? {} : fieldsOfDir(path.dirname(dir));
    }
    byDir.set(dir, fields);
    return fields;
  };
  return (file) => fieldsOfDir(path.dirname(file));
}

function loadPolicy(options: ResolvedOptions): PolicyFile {
  if (typeof options.policy !== 'string') return assertPolicy(options.policy, 'policy option');
  return loadPolicyWithOverride(options.policy, options.policyOverride);
}

/** Policy entries naming packages the app does not have are almost always typos: say so before building. */
function assertKnownPackages(policy: PolicyFile, graph: PackageGraph, source: string): void {
  const unknown = Object.keys(policy.resources).filter((name) => name !== ROOT_PACKAGE && !graph.packages.has(name));
  if (unknown.length === 0) return;
  const known = [...graph.packages.keys()].filter((n) => n !== ROOT_PACKAGE).sort();
  const problems = unknown.map((name) => `resources[${JSON.stringify(name)}]: no package of that name in the dependency tree of "${graph.root.dir}"`);
  throw new SandboxError(
    'SB_PACKAGE_UNKNOWN',
    `sandbox-bundle: policy ${JSON.stringify(source)} names ${unknown.length} unknown package${unknown.length > 1 ? 's' : ''}. Fix the names (canonical names are dependency paths like "a>b"; known: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}), or remove stale entries. A package installed but declared in no package.json is not in the tree: add it to the app's dependencies:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    { problems },
  );
}

export function createSandboxContext(options: ResolvedOptions, target: BuildTarget): SandboxContext {
  const policyFile = loadPolicy(options);
  const graph = createPackageGraph(options.root);
  assertKnownPackages(policyFile, graph, typeof options.policy === 'string' ? options.policy : 'policy option');
  const policy = resolveRuntimePolicy(policyFile);
  const entries = new Set(target.entries.map((e) => fs.realpathSync(e)));
  // ses as scripts/build.js compiles it (one self-contained file, src/runtime/ses-patches applied): it alone is trusted on ses's behalf.
  const sesFile = builtFile('ses.cjs');
  /** The beforeLockdown polyfills and what they load: unwrapped, with full authority. */
  const trustedDirs: string[] = [];
  const gates = new Map<string, Gate>();
  const isRealDir = realDirChecker();
  const packageFieldsOf = packageFieldsReader();
  /** One parse per dependency file: resolution peeks at a target's format, the load hook wraps it. */
  const factsCache = new Map<string, { source: string; facts: ModuleFacts; hash?: string }>();
  /** And none at all for a file whose exact text an earlier build parsed. */
  const diskCache = options.cacheDir ? openFactsCache(options.cacheDir, TOOL_VERSION) : NO_FACTS_CACHE;
  const factsOf = (file: string, source?: string): ModuleFacts => {
    const cached = factsCache.get(file);
    if (cached && (source === undefined || cached.source === source)) return cached.facts;
    const text = source ?? fs.readFileSync(file, 'utf8');
    // Hashed once, here, when a cache directory will want it (the facts cache, the wrapped tree's plan).
    const hash = options.cacheDir ? sourceHash(text) : undefined;
    const facts = diskCache.factsOf(text, () => inspectModule(text, file), hash);
    factsCache.set(file, { source: text, facts, hash });
    return facts;
  };
  /** The sourceHash of the text factsOf last saw for `file`. */
  const hashSeen = (file: string, source: string) => factsCache.get(file)?.hash ?? sourceHash(source);
  /** An ES module with its default-export flag, or undefined for anything else (CommonJS, JSON, unparsable). */
  const esmFactsOf = (file: string): ModuleFacts | undefined => {
    if (!/\.m?js$/.test(file)) return undefined;
    try {
      const facts = factsOf(file);
      return facts.format === 'esm' ? facts : undefined;
    } catch {
      return undefined;
    }
  };
  /** Static import names per importer file and specifier, for denied-import stand-ins. */
  const importNames = new Map<string, Map<string, string[]>>();

  // warn and record builds gate every edge as allowed: the runtime reports or records, and allows.
  const observing = options.mode !== 'enforce';
  const grantsOf = (pkg: string) => (Object.hasOwn(policy.resources, pkg) ? policy.resources[pkg]! : undefined);
  const isTrusted = (file: string) => file === sesFile || trustedDirs.some((dir) => file.startsWith(dir + path.sep));
  const trustPackageOf = (file: string) => {
    const dir = namedPackageDirOf(file);
    if (!trustedDirs.includes(dir)) trustedDirs.push(dir);
  };
  // Trusted before the bundler loads anything: the app may require a polyfill too, and the
  // bundler may reach it from the app before it reaches it from the start module.
  const appRequire = createRequire(path.join(graph.root.dir, 'package.json'));
  for (const specifier of options.beforeLockdown) {
    try {
      trustPackageOf(appRequire.resolve(specifier));
    } catch {
      // resolved (or reported) when the start module imports it
    }
  }

  /** The package a real file belongs to; files outside every package count as the app's. */
  const ownerOf = (file: string): PackageIdentity => graph.identify(file) ?? graph.root;

  /**
   * A bare specifier means the same thing from every file of a package (Node looks in the package's
   * node_modules, then above it) unless a node_modules directory sits between the file and the
   * package root. So the bundler is asked once per package, specifier and kind: its resolver call
   * is the costliest step of an esbuild build (esbuild makes a fresh resolver per call).
   */
  const sharedResolutions = new Map<string, Promise<BundlerResolution>>();
  const hasNodeModules = new Map<string, boolean>();
  const resolveShared = (request: ResolveRequest, importerFile: string, from: PackageIdentity): Promise<BundlerResolution> => {
    const { specifier, kind } = request;
    const dir = path.dirname(importerFile);
    const isBare = !specifier.startsWith('.') && !path.isAbsolute(specifier) && !specifier.includes(':');
    if (!isBare || !isInsideWithoutNodeModules(dir, from.dir, hasNodeModules)) return request.resolve(specifier, dir);
    const key = `${from.dir}\0${kind}\0${specifier}`;
    let found = sharedResolutions.get(key);
    if (!found) sharedResolutions.set(key, (found = request.resolve(specifier, dir)));
    return found;
  };

  /** The source of a generated module by id, with the given links to the runtime and ses; undefined when the id is not ours. */
  function generatedSource(id: string, links: GeneratedLinks): string | undefined {
    if (id === RUNTIME_ID) return loadRuntimeSource();
    if (id === START_ID) return generateStartModule(options, policy, target.startFormat ?? target.format, links);
    if (id.startsWith('scope:')) return generateScopeModule(id.slice('scope:'.length), links);
    const g = gates.get(id);
    return g ? generateGateModule(g, links) : undefined;
  }

  /** BuildTarget.wrappedTree, when there is a cache directory to hold it. */
  const treeOptions = target.wrappedTree && target.bundlerResolvesAbsolutePaths && options.cacheDir ? target.wrappedTree : undefined;
  /** The tree this build links into (its copies written now, or reused); undefined: the hooks do the work. */
  const tree: WrappedTree | undefined = treeOptions
    ? openWrappedTree(
        path.join(options.cacheDir!, 'wrapped'),
        // The key names the tree's directory, which the bundle shows: no absolute path goes in, so
        // builds on two machines give the same bytes. The runtime is in it too: the scopes and
        // gates a reused tree links to import the runtime that wrote them, and dist/runtime.cjs can
        // change while the build code (toolCodeHash) does not. Wrapped modules name their files relative to
        // the output directory: the key holds where that directory is from the app.
        JSON.stringify({ tool: toolCodeHash(), runtime: sourceHash(loadRuntimeSource()), policy, mode: options.mode, beforeLockdown: options.beforeLockdown, format: target.format, startFormat: target.startFormat, outdirFromRoot: path.relative(target.outdir, graph.root.dir), sourceMap: target.sourceMap, bundler: treeOptions.bundlerOptionsKey }),
        {
          wrap: (original) => wrapIntoTree(original),
          packageFieldsOf: (original) => packageFieldsOf(original),
          sourceHashOf: (original) => {
            try {
              return sourceHash(fs.readFileSync(original, 'utf8'));
            } catch {
              return undefined;
            }
          },
          // Where imports resolve depends on the installed packages' manifests (main, exports, ...).
          environment: () => sourceHash(JSON.stringify([...graph.packages.values()].map((p) => [p.name, p.dir, readManifest(p.dir) ?? null]))),
        },
      )
    : undefined;
  /** Originals of the wrapped modules a generated file links to (a package gate's target). */
  const generatedReferences = new Map<string, string[]>();

  /** Does the tree hold a wrapped copy of this file (a dependency's script), instead of the file itself? */
  const isWrappedInTree = (file: string) => tree !== undefined && path.isAbsolute(file) && isScriptFile(file) && !file.startsWith(tree.dir + path.sep) && !isTrusted(file) && ownerOf(file) !== graph.root;
  /** The path the bundler should load for `file`; wrapped copies are noted in `references`. */
  const linkTo = (file: string, references: string[]): string => {
    if (tree?.isGeneratedFile(file)) references.push(...(generatedReferences.get(file) ?? []));
    if (!isWrappedInTree(file)) return file;
    references.push(file);
    return tree!.moduleFile(file);
  };

  /** A generated module, as the bundler should resolve it: a file in the tree, or an id for the adapter's load hook. */
  function generated(id: string): Resolution {
    if (!tree) return { type: 'generated', id };
    return { type: 'file', file: generatedFile(id) };
  }
  function generatedFile(id: string): string {
    const references: string[] = [];
    const links = id === RUNTIME_ID ? RESERVED_LINKS : { runtime: generatedFile(RUNTIME_ID), ses: sesFile, target: (file: string) => linkTo(file, references) };
    const source = generatedSource(id, links);
    if (source === undefined) throw new Error(`sandbox-bundle: no generated module "${id}". This is a bug in sandbox-bundle; please report it.`);
    const g = gates.get(id);
    const isEsm = id === START_ID ? (target.startFormat ?? target.format) === 'esm' : g !== undefined && isEsmGate(g);
    const file = tree!.generatedFile(id, source, isEsm);
    if (references.length > 0) generatedReferences.set(file, references);
    return file;
  }

  function gate(g: Gate): Resolution {
    const target = g.type === 'builtin' ? `builtin:${g.name}` : g.type === 'package' || g.type === 'esm-package' ? `${g.type === 'esm-package' ? 'esm:' : ''}${toPosix(path.relative(graph.root.dir, g.file))}` : g.type === 'native' ? `native:${g.relativePath}` : g.type === 'missing' ? `missing:${g.specifier}` : `denied:${g.kind}:${g.permission}:${g.style}:${g.names.join(',')}`;
    const id = `gate:${g.from}->${target}`;
    gates.set(id, g);
    return generated(id);
  }

  async function resolveFromDependency(request: ResolveRequest, importerFile: string, from: PackageIdentity): Promise<Resolution> {
    const { specifier, kind } = request;
    const grants = grantsOf(from.name);
    const style = kind === 'import' ? 'esm' : 'cjs';
    const names = () => importNames.get(importerFile)?.get(specifier) ?? [];
    if (isBuiltin(specifier)) {
      const name = specifier.replace(/^node:/, '');
      // A builtin the policy names only with `false` entries loads too (a facade without the denied members).
      const granted = observing || (grants && Object.keys(grants.builtin).some((p) => p.split('.')[0] === name)) || isNamedWithoutGrant(policy, from.name, name);
      return granted ? gate({ type: 'builtin', from: from.name, name }) : gate({ type: 'denied', from: from.name, kind: 'builtin', permission: name, style, names: names() });
    }
    const local = resolveLocalFile(specifier, importerFile, from, isRealDir);
    if (local) return { type: 'file', file: local };
    const found = await resolveShared(request, importerFile, from);
    if ('missing' in found) {
      // An unresolvable import statement is a build error (the bundler reports it); a require may be an optional dependency.
      return kind === 'import' ? { type: 'default' } : gate({ type: 'missing', from: from.name, specifier });
    }
    if ('external' in found) {
      throw new SandboxError('SB_BUILD_FAILED', `sandbox-bundle: package "${from.name}" imports "${specifier}", which the build marks external (${importerFile}). External modules run outside the sandbox; remove "${specifier}" from the externals so it is bundled and checked.`);
    }
    const file = found.file;
    if (!path.isAbsolute(file)) {
      // Not a file: esbuild's data: URL modules (`require('data:text/javascript,...')`) are code it would
      // load itself, past the wrapper, whatever a policy grants.
      throw new SandboxError('SB_UNSUPPORTED_SYNTAX', `sandbox-bundle: package "${from.name}" imports ${JSON.stringify(specifier.length > 60 ? `${specifier.slice(0, 60)}...` : specifier)} (${importerFile}), which the bundler resolves to "${file.slice(0, 40)}", not a file: its code would run outside the sandbox. Remove the import; if it is a dependency's code, treat the package as hostile.`);
    }
    if (file.endsWith('.node')) {
      const relativePath = toPosix(path.relative(target.outdir, file));
      return observing || grants?.native ? gate({ type: 'native', from: from.name, relativePath }) : gate({ type: 'denied', from: from.name, kind: 'native', permission: relativePath, style, names: names() });
    }
    const owner = isTrusted(file) ? undefined : ownerOf(file);
    if (owner === from) return { type: 'file', file };
    const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);
    if ((!owner || isPath) && !observing) {
      // A path that leaves the package's own directory reads another package's (or the app's) files.
      return gate({ type: 'denied', from: from.name, kind: 'file', permission: toPosix(path.relative(graph.root.dir, file)), style, names: names() });
    }
    const targetName = owner?.name ?? ROOT_PACKAGE;
    const grant = observing || (grants && Object.hasOwn(grants.packages, targetName) ? grants.packages[targetName] : undefined);
    if (!grant) return gate({ type: 'denied', from: from.name, kind: 'package', permission: targetName, style, names: names() });
    const esm = kind === 'import' || kind === 'dynamic-import' ? esmFactsOf(file) : undefined;
    if (esm) return gate({ type: 'esm-package', from: from.name, target: targetName, file, hasDefault: esm.hasDefaultExport });
    return gate({ type: 'package', from: from.name, target: targetName, file });
  }

  /**
   * See BuildTarget.bundlerResolvesAbsolutePaths and wrappedTree: the import specifiers of a
   * dependency module that can be settled now, each replaced by the path the bundler would
   * otherwise get from its resolve hook (with the tree, the wrapped copy's). The wrapped copies
   * the settled paths lead to are added to `references`.
   */
  async function settleImports(file: string, owner: PackageIdentity, facts: ModuleFacts, references: string[]): Promise<SpecifierRewrite[]> {
    const settled = await Promise.all(
      literalImportsOf(facts).map(async ({ specifier: written, source, kind }): Promise<SpecifierRewrite | undefined> => {
        const specifier = checkedSpecifier(file, written);
        const local = resolveLocalFile(specifier, file, owner, isRealDir);
        if (local) return { ...source, specifier: linkTo(local, references) };
        // Reserved specifiers keep their meaning (the importer's own scope, or an error) in resolveId.
        if (tree && treeOptions && !specifier.startsWith(RESERVED_PREFIX)) {
          const request = { specifier, importer: file, importerIsGenerated: false, kind, resolve: (s: string, dir: string) => treeOptions.resolve(s, dir, kind, file) };
          const resolution = await resolveFromDependency(request, file, owner);
          if (resolution.type === 'file') return { ...source, specifier: linkTo(resolution.file, references) };
        }
        return specifier === written ? undefined : { ...source, specifier };
      }),
    );
    return settled.filter((rewrite) => rewrite !== undefined);
  }

  /** A dependency module with its free names bound to its package's scope and its imports settled. */
  async function wrapDependency(file: string, source: string, owner: PackageIdentity, references: string[]): Promise<TransformedFile> {
    const facts = factsOf(file, source);
    // Before any resolution: a denied import's stand-in exports the names the module imports.
    const names = new Map<string, string[]>();
    for (const imp of facts.staticImports) {
      const specifier = checkedSpecifier(file, imp.specifier);
      names.set(specifier, [...(names.get(specifier) ?? []), ...imp.names]);
    }
    importNames.set(file, names);
    const specifiers = target.bundlerResolvesAbsolutePaths ? await settleImports(file, owner, facts, references) : [];
    const scopeSpecifier = tree ? generatedFile(`scope:${owner.name}`) : undefined;
    const wrapped = wrapModule(source, facts, { relativePath: toPosix(path.relative(target.outdir, file)), sourceMap: target.sourceMap, file, specifiers, scopeSpecifier });
    const evalUse = facts.freeNames.get('eval')?.occurrences[0];
    if (!evalUse) return wrapped;
    // A direct eval cannot see the module's local variables once it runs in the package's own global.
    const warning: BuildWarning = {
      text: `package "${owner.name}" uses eval; inside the sandbox it evaluates in the package's own global scope, in strict mode, without access to local variables. Check that the package still works, or grant nothing that relies on it.`,
      file,
      ...positionOf(source, evalUse.start),
    };
    return { ...wrapped, warnings: [warning] };
  }

  async function wrapIntoTree(original: string): Promise<WrappedCopy> {
    const references: string[] = [];
    const source = fs.readFileSync(original, 'utf8');
    const wrapped = await wrapDependency(original, source, ownerOf(original), references);
    return {
      code: withInlineSourceMap(wrapped.code, wrapped.map),
      references,
      sourceHash: hashSeen(original, source),
      warnings: wrapped.warnings ?? [],
    };
  }

  const isAmongAppFiles = (specifier: string, importerFile: string) => {
    if (!specifier.startsWith('./') && !specifier.startsWith('../')) return false;
    const dir = path.dirname(path.resolve(path.dirname(importerFile), specifier));
    return isInsideWithoutNodeModules(dir, graph.root.dir, hasNodeModules) && !path.relative(graph.root.dir, dir).split(path.sep).includes('node_modules') && isRealDir(dir);
  };

  /** A resolved file as the bundler should load it: once the wrapped copies it leads to are written. */
  async function linked(resolution: Resolution): Promise<Resolution> {
    if (!tree || resolution.type !== 'file') return resolution;
    const references: string[] = [];
    const file = linkTo(resolution.file, references);
    await tree.whenWritten(references);
    return { type: 'file', file };
  }

  return {
    graph,
    policy,
    wrappedTreeDir: tree?.dir,
    async resolveId(request) {
      const { specifier, importer } = request;
      if (request.importerIsGenerated || (importer !== undefined && tree?.isGeneratedFile(importer))) {
        if (specifier === SES_SPECIFIER) return { type: 'file', file: sesFile };
        if (specifier.startsWith(RESERVED_PREFIX)) return generated(specifier.slice(RESERVED_PREFIX.length));
        if (isBuiltin(specifier)) return { type: 'external', specifier };
        if (path.isAbsolute(specifier)) return { type: 'file', file: specifier };
        // The start module's other imports are the beforeLockdown polyfills, resolved from the app.
        const found = await request.resolve(specifier, graph.root.dir);
        if (!('file' in found)) throw new SandboxError('SB_OPTIONS_INVALID', `sandbox-bundle: cannot resolve beforeLockdown module "${specifier}" from "${graph.root.dir}". Install it, or fix the name in the beforeLockdown option.`);
        trustPackageOf(found.file);
        return { type: 'file', file: found.file };
      }
      if (!importer || request.kind === 'entry') return { type: 'default' };
      // An import the wrapping left for the resolve hook (a reserved specifier) comes from the wrapped copy.
      const importerFile = tree?.originalOf(importer) ?? importer;
      if (isTrusted(importerFile)) {
        // What a trusted polyfill loads runs before lockdown too, so it is trusted with it.
        if (isBuiltin(specifier)) return { type: 'default' };
        const found = await request.resolve(specifier, path.dirname(importerFile));
        if ('file' in found) {
          trustPackageOf(found.file);
          return { type: 'file', file: found.file };
        }
        return { type: 'default' };
      }
      const from = ownerOf(importerFile);
      if (specifier.startsWith(RESERVED_PREFIX)) {
        // Package code can write any specifier: the scope specifier always means the importer's own scope.
        if (specifier === SCOPE_SPECIFIER && from !== graph.root) return generated(`scope:${from.name}`);
        if (specifier === `${RESERVED_PREFIX}${START_ID}` && entries.has(importerFile)) return generated(START_ID);
        throw new SandboxError('SB_RESERVED_SPECIFIER', `sandbox-bundle: "${importerFile}" imports "${specifier}"; the "${RESERVED_PREFIX}" prefix is reserved for modules sandbox-bundle generates. Remove the import; if it is a dependency's code, treat the package as hostile.`);
      }
      if (from === graph.root) {
        // The app's imports are the bundler's to resolve; with the tree, a dependency's module is
        // loaded as its wrapped copy. A relative import that stays among the app's own files (no
        // node_modules, no symlinked directory on the way) cannot lead to one: no resolving here.
        if (!tree || isBuiltin(specifier) || isAmongAppFiles(specifier, importerFile)) return { type: 'default' };
        const found = await request.resolve(specifier, path.dirname(importerFile));
        return 'file' in found && path.isAbsolute(found.file) ? linked({ type: 'file', file: found.file }) : { type: 'default' };
      }
      return linked(await resolveFromDependency(request, importerFile, from));
    },

    loadGenerated(id) {
      return generatedSource(id, RESERVED_LINKS);
    },

    async transformFile(file, source) {
      if (isTrusted(file)) return undefined;
      const owner = ownerOf(file);
      if (owner === graph.root) {
        if (!entries.has(file)) return undefined;
        // The app's entry loads the start module first, so lockdown precedes every dependency.
        // Node decides by extension and package.json "type" (an entry with only import() and
        // top-level await has no import statement to tell by): so do we, then by syntax.
        const isEsm = file.endsWith('.mjs') || (!file.endsWith('.cjs') && (packageFieldsOf(file).type === 'module' || inspectModule(source, file).format === 'esm'));
        const start = JSON.stringify(tree ? generatedFile(START_ID) : `${RESERVED_PREFIX}${START_ID}`);
        const load = isEsm ? `import ${start};` : `require(${start});`;
        const hashbang = source.startsWith('#!') ? source.indexOf('\n') + 1 : 0;
        return { code: `${source.slice(0, hashbang)}${load}${source.slice(hashbang)}` };
      }
      const references: string[] = [];
      const wrapped = await wrapDependency(file, source, owner, references);
      await tree?.whenWritten(references);
      return wrapped;
    },

    takeTreeWarnings() {
      return tree?.takeWarnings() ?? [];
    },

    finish(succeeded = true) {
      if (succeeded) diskCache.save();
      tree?.endBuild(succeeded);
    },
  };
}
