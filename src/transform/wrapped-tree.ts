// The directory of wrapped modules and generated modules that esbuild reads itself, with no hook round trip (BuildTarget.wrappedTree).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BuildWarning } from '../context.js';
import { SandboxError } from '../errors.js';

/** What the context produces for one dependency module. */
export interface WrappedCopy {
  /** The wrapped module, with its source map inline. */
  code: string;
  /** The original paths of the modules whose wrapped copies this one (or a gate it imports) links to. */
  references: readonly string[];
  /** The original's source hash (see WrappedTreeHooks.sourceHashOf): the next build reuses the copy while it matches. */
  sourceHash: string;
  /** Warnings about the module, given again whenever the copy is reused. */
  warnings: readonly BuildWarning[];
}

export interface WrappedTreeHooks {
  /** Wraps one dependency module. */
  wrap(original: string): Promise<WrappedCopy>;
  /** The fields of the original's nearest package.json that decide how esbuild loads it. */
  packageFieldsOf(original: string): { type?: unknown; sideEffects?: unknown };
  /** A hash of the original's current source, or undefined when it cannot be read. */
  sourceHashOf(original: string): string | undefined;
  /**
   * What, besides the module sources, decides where imports resolve (the installed packages'
   * package.json files): a plan made under another environment is not reused.
   */
  environment(): string;
}

/**
 * A file's size, mtime, ctime and inode, taken while its source hashed as a plan records: while
 * they stay the same, the source is taken as unchanged without reading it (see fittingPlan).
 */
type StatStamp = [size: number, mtimeMs: number, ctimeMs: number, ino: number];

interface PlannedModule {
  sourceHash: string;
  /** The copy's path in the tree, relative to it. */
  file: string;
  stamp?: StatStamp;
  references: readonly string[];
  warnings: readonly BuildWarning[];
}

/** What a build leaves for the next: every module it linked, with what its copy was made from. */
interface Plan {
  environment: string;
  modules: Record<string, PlannedModule>;
  generated: string[];
}

export interface WrappedTree {
  /** The directory; nothing else lives below it, so the adapter can tell its files by prefix. */
  readonly dir: string;
  /** The file of a generated module (by id), written now if this build has not written it yet. */
  generatedFile(id: string, source: string, esm: boolean): string;
  isGeneratedFile(file: string): boolean;
  /** The file of a dependency module's wrapped copy. Wrapping starts now; see whenWritten. */
  moduleFile(original: string): string;
  /** The original path of a wrapped copy, or undefined for any other file. */
  originalOf(file: string): string | undefined;
  /**
   * Settles when the wrapped copies of these modules, and of every module they link to, are on disk:
   * only then may the bundler be handed a path into the tree. Rejects with the first wrap error.
   */
  whenWritten(originals: Iterable<string>): Promise<void>;
  /** Warnings about the modules wrapped or reused since the last call. */
  takeWarnings(): BuildWarning[];
  /**
   * The build is over; the next one (an esbuild rebuild, or a new process) starts afresh. After a
   * success, the tree keeps the plan of what this build linked, and trees of older option sets
   * beyond the few most recent are removed.
   */
  endBuild(succeeded: boolean): void;
}

/** The tree's directory of wrapped copies (see copyFileOf). */
const COPIES_DIR = path.join('node_modules', 'm');
/** Trees kept besides the current one: a few recent option sets (say, two policies) rebuild without rewriting. */
const TREES_KEPT = 3;
const hashOf = (text: string) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
/**
 * How long a file must have been left alone before its stat may stand for its content. A change
 * within the file system's timestamp granularity of our read could leave size and times as they
 * were (git's "racy clean" entries); ctime, which only the kernel sets, has then moved past this.
 */
const SETTLED_MS = 2000;
const stampOf = (stats: fs.Stats): StatStamp => [stats.size, stats.mtimeMs, stats.ctimeMs, stats.ino];
const sameStamp = (a: StatStamp | undefined, b: StatStamp) => a !== undefined && a.every((value, i) => value === b[i]);
/** Whether a stat taken at `checkedAt` shows the file left alone long enough for its stamp to stand for its content. */
const hasSettled = (stats: fs.Stats, checkedAt: number) => Math.max(stats.mtimeMs, stats.ctimeMs) < checkedAt - SETTLED_MS;

/** A file written whole or not at all, so a concurrent build of the same tree never reads half of it. */
export function writeFileAtomically(file: string, contents: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, file);
}

/**
 * Opens the tree for one build (or the builds of one esbuild context) under `base`. `key` names
 * everything the wrapped text depends on besides the module sources (tool, policy, options,
 * bundler options): builds with the same key write the same bytes to the same paths, so
 * concurrent builds of one app agree, and the bundle names the same paths every time (module keys
 * and comments stay reproducible).
 *
 * Every file sits in a directory of its own, created with it: esbuild caches each directory's
 * listing for a whole build, so a file added to a directory it has already listed stays invisible.
 *
 * A plan fits when it was made under the same environment, every module's source still hashes as
 * it did, and every file is still there. A reused copy links where its module's imports resolved
 * last time, under the same policy and options; the environment check is what notices an install.
 *
 * Undefined when the tree's directory cannot be made or written (a file stands in the cache's
 * place, no permission): the build then goes through the bundler's hooks, as without a cache.
 */
export function openWrappedTree(base: string, key: string, hooks: WrappedTreeHooks): WrappedTree | undefined {
  const dir = path.join(base, hashOf(key));
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    return undefined;
  }
  const planFile = path.join(dir, 'plan.json');
  /**
   * A copy sits in the group of the package.json fields esbuild reads for its original ("type", and
   * a literal `"sideEffects": false`; globs, relative to the original package, are dropped, which
   * only keeps modules esbuild could have left out). Each group has one package.json: one per copy
   * cost esbuild ~0.25 s of 3 on the bench app. Named by the path from the tree, not the absolute
   * path, so the same app on another machine gets the same names. The groups sit below a directory
   * named node_modules, as the originals do: esbuild keeps its warnings about odd code (`x === -0`)
   * to files outside node_modules, and a cache directory elsewhere would bring them back. Not
   * directly in it: a directory there with a package.json would pass for an undeclared package
   * (package-graph.ts).
   */
  const copyFileOf = (original: string) => {
    const { type, sideEffects } = hooks.packageFieldsOf(original);
    const group = `${type === 'module' ? 'esm' : 'cjs'}${sideEffects === false ? '-pure' : ''}`;
    return path.join(dir, COPIES_DIR, group, hashOf(path.relative(base, original)), path.basename(original));
  };
  const GROUP_FIELDS: Record<string, object> = { cjs: {}, esm: { type: 'module' }, 'cjs-pure': { sideEffects: false }, 'esm-pure': { type: 'module', sideEffects: false } };

  /** Set when fittingPlan stamped modules: the plan is worth writing again at the end of the build. */
  let stampsAdded = false;
  /**
   * Whether a module's source is the one its plan entry was made from. A module whose stat matches
   * its stamp is not read; one that had to be hashed and matched gets stamped, once it has settled.
   * The stat comes before the read: a change in between leaves a stamp that no longer matches.
   */
  function sourceUnchanged(original: string, entry: PlannedModule, checkedAt: number): boolean {
    const stats = fs.statSync(original, { throwIfNoEntry: false });
    if (!stats) return false;
    const stamp = stampOf(stats);
    if (sameStamp(entry.stamp, stamp)) return true;
    if (hooks.sourceHashOf(original) !== entry.sourceHash) return false;
    if (hasSettled(stats, checkedAt)) {
      entry.stamp = stamp;
      stampsAdded = true;
    }
    return true;
  }

  /** The previous build's plan, if it fits this build. */
  function fittingPlan(): Plan | undefined {
    let previous: Plan;
    try {
      previous = JSON.parse(fs.readFileSync(planFile, 'utf8'));
    } catch {
      return undefined;
    }
    if (previous.environment !== hooks.environment()) return undefined;
    const checkedAt = Date.now();
    const fits = ([original, entry]: [string, PlannedModule]) =>
      sourceUnchanged(original, entry, checkedAt) && fs.existsSync(path.join(dir, entry.file));
    const generatedThere = previous.generated.every((file) => fs.existsSync(file));
    return Object.entries(previous.modules).every(fits) && generatedThere ? previous : undefined;
  }

  // A build whose plan fits (see fittingPlan) links the copies as they are. Any other (a first build,
  // a changed dependency, other options) wraps the modules it links into the tree: writing costs
  // about what going through the bundler's hooks does (bench/README.md, "Since 12:00"), and the next
  // build is then already a rebuild.
  let opened: Plan | undefined = fittingPlan();
  // Per build (see endBuild): what this build has written, reused and linked.
  let generated = new Set<string>();
  let generatedById = new Map<string, string>();
  let modules = new Map<string, { file: string; written: Promise<readonly string[]> }>();
  let originals = new Map<string, string>();
  /** Modules whose whole reachable set is known to be written. */
  let complete = new Set<string>();
  let plan: Plan = { environment: '', modules: {}, generated: [] };
  let planChanged = true;
  let warnings: BuildWarning[] = [];
  let started = false;

  const writeInOwnDir = (file: string, contents: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomically(file, contents);
  };

  /** Marks the tree in use: pruning keeps the most recently used. */
  const markUsed = () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '.used'), '');
  };
  /** First use in a build: the tree may be new, or removed since by another build's pruning. */
  const start = () => {
    started = true;
    try {
      markUsed();
      // The tree's own package.json and tsconfig.json keep esbuild from applying the app's ("type",
      // compiler options) to the copies; each group's package.json gives its copies their fields.
      for (const name of ['package.json', 'tsconfig.json']) if (!fs.existsSync(path.join(dir, name))) writeFileAtomically(path.join(dir, name), '{}\n');
      for (const [group, fields] of Object.entries(GROUP_FIELDS)) {
        const file = path.join(dir, COPIES_DIR, group, 'package.json');
        if (!fs.existsSync(file)) writeInOwnDir(file, `${JSON.stringify(fields)}\n`);
      }
    } catch (error) {
      throw new SandboxError('SB_BUILD_FAILED', `sandbox-bundle: cannot write the wrapped modules' tree in "${dir}" (${(error as Error).message}). Make the cache directory writable, choose another with --cache-dir, or build with --no-cache.`);
    }
    // The context's first build decided with the plan it opened; a later one (esbuild's rebuilds) looks again.
    const reused = opened ?? fittingPlan();
    opened = undefined;
    plan = reused ?? { environment: hooks.environment(), modules: {}, generated: [] };
    planChanged = reused === undefined || stampsAdded;
    stampsAdded = false;
    for (const [original, entry] of Object.entries(reused?.modules ?? {})) {
      const file = path.join(dir, entry.file);
      modules.set(original, { file, written: Promise.resolve(entry.references) });
      originals.set(file, original);
      complete.add(original);
      warnings.push(...entry.warnings);
    }
    for (const file of reused?.generated ?? []) generated.add(file);
  };

  async function writeModule(original: string, file: string): Promise<readonly string[]> {
    // Later, not inside the caller: wrapping links to more modules, and starting each at once would
    // recurse through the whole dependency graph on one stack.
    await Promise.resolve();
    // Stamped now if it has settled, so the next build need not read it (see sourceUnchanged); the
    // stat comes before the wrap reads the source.
    const checkedAt = Date.now();
    const stats = fs.statSync(original, { throwIfNoEntry: false });
    const copy = await hooks.wrap(original);
    writeInOwnDir(file, copy.code);
    const stamp = stats && hasSettled(stats, checkedAt) ? stampOf(stats) : undefined;
    plan.modules[original] = { sourceHash: copy.sourceHash, file: path.relative(dir, file), stamp, references: copy.references, warnings: copy.warnings };
    warnings.push(...copy.warnings);
    planChanged = true;
    return copy.references;
  }

  return {
    dir,

    generatedFile(id, source, esm) {
      const known = generatedById.get(id);
      if (known) return known;
      if (!started) start();
      // The name is for people reading the bundle; the directory (a content hash) tells files apart.
      const name = `${id.replace(/[^\w.-]+/g, '_').slice(0, 80)}.${esm ? 'mjs' : 'cjs'}`;
      const file = path.join(dir, 'g', hashOf(source), name);
      // Named by content: an existing file is this one.
      if (!fs.existsSync(file)) writeInOwnDir(file, source);
      if (!generated.has(file)) {
        generated.add(file);
        plan.generated.push(file);
        planChanged = true;
      }
      generatedById.set(id, file);
      return file;
    },

    isGeneratedFile: (file) => generated.has(file),

    moduleFile(original) {
      if (!started) start();
      const known = modules.get(original);
      if (known) return known.file;
      const file = copyFileOf(original);
      const written = writeModule(original, file);
      // Awaited through whenWritten; without a listener, a failed wrap would also be an unhandled rejection.
      written.catch(() => {});
      modules.set(original, { file, written });
      originals.set(file, original);
      return file;
    },

    originalOf: (file) => originals.get(file),

    async whenWritten(start) {
      const seen = new Set<string>();
      let frontier = [...start];
      while (frontier.length > 0) {
        const pending = frontier.filter((original) => !complete.has(original) && !seen.has(original));
        for (const original of pending) seen.add(original);
        const references = await Promise.all(pending.map((original) => modules.get(original)!.written));
        frontier = references.flat();
      }
      for (const original of seen) complete.add(original);
    },

    takeWarnings() {
      const taken = warnings;
      warnings = [];
      return taken;
    },

    endBuild(succeeded) {
      const finished = started && succeeded ? plan : undefined;
      const changed = planChanged;
      generated = new Set();
      generatedById = new Map();
      modules = new Map();
      originals = new Map();
      complete = new Set();
      warnings = [];
      started = false;
      plan = { environment: '', modules: {}, generated: [] };
      if (!finished) return;
      try {
        if (changed) writeFileAtomically(planFile, JSON.stringify(finished));
        const trees = fs
          .readdirSync(base)
          .map((name) => path.join(base, name))
          .filter((tree) => tree !== dir)
          .map((tree) => ({ tree, used: fs.statSync(path.join(tree, '.used'), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
          .sort((a, b) => b.used - a.used);
        for (const { tree } of trees.slice(TREES_KEPT)) fs.rmSync(tree, { recursive: true, force: true });
      } catch {
        // housekeeping: a failure costs the next build a fresh wrap, or leaves old trees behind
      }
    },
  };
}
