// sandbox(options): rollup.Plugin (also a Vite plugin): translates rollup's hooks into the core's hook table, then verifies the built graph.
//
// Required rollup configuration (checked: a misconfiguration fails the build naming the option to set):
//   plugins: [sandbox(), nodeResolve({ exportConditions: ['node'], preferBuiltins: true }),
//             commonjs({ strictRequires: true, transformMixedEsModules: true, extensions: ['.js', '.cjs', '.mjs', ''] }), json()]
//   output:  { format: 'cjs' | 'es', strict: true (the default) }, also passed to rollup() itself
//            (`rollup({ input, plugins, output })`, as config files and Vite do): module paths are
//            made relative to the output directory while modules are transformed, before rollup
//            knows its output options; the bundle must then be written there.
// Why each commonjs option: strictRequires keeps requires lazy and in order (a denied require throws
// at the call; the sandbox starts first); transformMixedEsModules and the .mjs/extensionless
// extensions make commonjs link every require() a package module may contain. ignoreTryCatch needs
// no setting: it only leaves requires of *external* modules alone, and a package's require never
// resolves to an external here (a gate, or a build error).
// The `format` plugin option is not needed: rollup's output.format decides, and the generated start
// module is ESM whatever the output (see the buildStart hook).
// Under Vite (build only), the plugin forces the commonjs options, `ssr.noExternal: true` and its
// place before Vite's resolver itself (README, "From Vite").

import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import type { CustomPluginOptions, InputOptions, ModuleInfo, NormalizedInputOptions, OutputOptions, Plugin, PluginContext, ResolvedId } from 'rollup';
import { createSandboxContext, isScriptFile, type ImportKind, type SandboxContext } from '../../src/context.js';
import { inferFormat, resolveOptions, type OutputFormat, type SandboxOptions } from '../../src/options.js';
import { SandboxError, isSandboxError } from '../../src/errors.js';
import { ROOT_PACKAGE } from '../../src/names.js';
import { generateGateModule } from '../../src/transform/generated-modules.js';
import { unwrapProxyId } from './commonjs-ids.js';
import { createGraphCheck, printableId, type GraphCheck, type ModuleRole } from './graph-check.js';

export type { SandboxOptions };

const NAME = 'sandbox-bundle';
/**
 * Generated modules get `\0` ids so other plugins leave them alone. The `.cjs` ending is for
 * @rollup/plugin-commonjs: it transforms a `\0` id only with that extension, and most generated
 * modules are CommonJS text (the gates' `module.exports` getters are what make a denied require
 * throw at every call).
 */
const GENERATED_PREFIX = `\0${NAME}:`;
const GENERATED_SUFFIX = '.cjs';
/** Our own mark on this.resolve calls for dynamic imports, which rollup's resolveId cannot tell apart. */
const CUSTOM_KEY = NAME;

const BUILTINS = new Set(builtinModules);

const isGenerated = (id: string) => id.startsWith(GENERATED_PREFIX) && id.endsWith(GENERATED_SUFFIX);
const toRollupId = (coreId: string) => `${GENERATED_PREFIX}${coreId}${GENERATED_SUFFIX}`;
const toCoreId = (id: string) => id.slice(GENERATED_PREFIX.length, -GENERATED_SUFFIX.length);

function kindOf(options: { isEntry: boolean; custom?: CustomPluginOptions }): ImportKind {
  if (options.isEntry) return 'entry';
  const own = options.custom?.[CUSTOM_KEY]?.kind as ImportKind | undefined;
  if (own) return own;
  // @rollup/plugin-commonjs resolves every require() it turns into an import with this flag.
  return options.custom?.['node-resolve']?.isRequire ? 'require' : 'import';
}

function outputsOf(raw: InputOptions): OutputOptions[] {
  const output = (raw as { output?: OutputOptions | OutputOptions[] }).output;
  return output === undefined ? [] : Array.isArray(output) ? output : [output];
}

/** The directory the entry chunk goes to, when the options say it without running rollup. */
function outdirOf(output: OutputOptions, cwd: string): string | undefined {
  if (output.file) return path.dirname(path.resolve(cwd, output.file));
  if (!output.dir) return undefined;
  const entryDir = typeof output.entryFileNames === 'string' ? path.dirname(output.entryFileNames) : '.';
  return path.resolve(cwd, output.dir, entryDir);
}

function formatOf(output: OutputOptions | undefined, cwd: string): OutputFormat | undefined {
  switch (output?.format) {
    case 'cjs':
    case 'commonjs':
      return 'cjs';
    case 'es':
    case 'esm':
    case 'module':
      return 'esm';
  }
  return output?.file ? inferFormat(path.resolve(cwd, output.file)) : undefined;
}

function entriesOf(input: NormalizedInputOptions['input'], cwd: string): string[] {
  return (Array.isArray(input) ? input : Object.values(input)).map((entry) => path.resolve(cwd, entry));
}

/** Our errors go through rollup's channel with their stable code (rollup keeps it as `pluginCode`) and cause. */
function fail(context: { error(error: Error): never }, error: unknown): never {
  if (isSandboxError(error)) return context.error(error);
  throw error;
}

function configError(message: string): SandboxError {
  return new SandboxError('SB_PLUGIN_ORDER', message);
}

/** The Vite configuration the sandbox depends on, forced over the user's (see the config hook). */
interface ViteConfigPatch {
  ssr: { noExternal: true };
  build: { commonjsOptions: { strictRequires: true; transformMixedEsModules: true; extensions: string[]; include: RegExp[] } };
}

/** A Vite plugin is a rollup plugin with a few more fields; declared here so Vite stays a dev dependency. */
export interface SandboxPlugin extends Plugin {
  enforce: 'pre';
  apply: 'build';
  applyToEnvironment(environment: { config: { consumer: string } }): boolean;
  config(): ViteConfigPatch;
}

export function sandbox(userOptions: SandboxOptions = {}): SandboxPlugin {
  const cwd = process.cwd();
  let outputs: OutputOptions[] = [];
  let inlinesDynamicImports = false;
  let outdir = cwd;
  let ctx: SandboxContext | undefined;
  let check: GraphCheck;
  /** Files the transform hook passed to the core, and whether the core rewrote them. */
  const transformed = new Map<string, boolean>();
  let startId = '';
  /** Stand-ins for requires of the app that resolve nowhere, by id. */
  const missingModules = new Map<string, string>();
  const missingModule = (specifier: string) => {
    const id = toRollupId(`missing:${ROOT_PACKAGE}:${specifier}`);
    missingModules.set(id, generateGateModule({ type: 'missing', from: ROOT_PACKAGE, specifier }));
    return id;
  };

  /** The package that owns a real file, or undefined for the app and files outside every package. */
  const packageOf = (id: string) => {
    if (!ctx || id.startsWith('\0') || !path.isAbsolute(id)) return undefined;
    const owner = ctx.graph.identify(id);
    return owner && owner.name !== ROOT_PACKAGE ? owner : undefined;
  };
  const describe = (id: string) => {
    if (isGenerated(id)) return `the generated module "${printableId(id)}"`;
    const owner = packageOf(id);
    return owner ? `"${id}" (package "${owner.name}")` : `"${id}"`;
  };
  const roleOf = (id: string): ModuleRole | undefined => {
    if (isGenerated(id)) return 'sandboxed';
    if (!packageOf(id)) return undefined;
    if (!transformed.has(id)) return 'unseen';
    return transformed.get(id) ? 'sandboxed' : 'trusted';
  };

  function assertPlugins(plugins: readonly Plugin[]): void {
    const names = plugins.map((p) => p.name);
    const self = names.indexOf(NAME);
    if (!names.includes('commonjs')) {
      throw configError('sandbox-bundle: the build has no @rollup/plugin-commonjs; dependencies would keep Node\'s own require. Add commonjs({ strictRequires: true, transformMixedEsModules: true, extensions: [\'.js\', \'.cjs\', \'.mjs\', \'\'] }) to plugins.');
    }
    const resolver = names.findIndex((name) => name === 'node-resolve' || name === 'vite:resolve');
    if (resolver < 0) {
      throw configError('sandbox-bundle: the build has no @rollup/plugin-node-resolve; package imports would stay external and run outside the sandbox. Add nodeResolve({ exportConditions: ["node"], preferBuiltins: true }) to plugins, after sandbox().');
    }
    if (resolver < self) {
      throw configError(`sandbox-bundle: plugin "${names[resolver]}" comes before sandbox() in plugins, so it would resolve package imports before their policy is checked. Put sandbox() before nodeResolve() in plugins.`);
    }
  }

  return {
    name: NAME,
    // Vite: run before vite:resolve (which would resolve and externalize package imports first), and only for builds.
    enforce: 'pre',
    apply: 'build',
    // Vite 6+ environments: sandboxed bundles run on Node; a browser (client) build is left alone.
    applyToEnvironment: (environment) => environment.config.consumer === 'server',

    /** Vite only: the commonjs options and SSR bundling the sandbox depends on, forced over the user's. */
    config() {
      return {
        ssr: { noExternal: true },
        build: {
          commonjsOptions: {
            strictRequires: true,
            transformMixedEsModules: true,
            // .mjs and extensionless package files may call require() too (merged with Vite's list).
            extensions: ['.js', '.cjs', '.mjs', ''],
            // Vite's default include is node_modules only: the app entry (it loads the sandbox start
            // module) and file:/workspace packages live elsewhere. Merged with the user's list: matches everything.
            include: [/(?:)/],
          },
        },
      };
    },

    options(raw) {
      outputs = outputsOf(raw);
      inlinesDynamicImports = outputs.some((output) => output.inlineDynamicImports === true);
      return null;
    },

    buildStart(inputOptions) {
      transformed.clear();
      try {
        assertPlugins(inputOptions.plugins);
        const entries = entriesOf(inputOptions.input, cwd);
        for (const entry of entries) {
          if (!fs.existsSync(entry)) throw new SandboxError('SB_ENTRY_NOT_FOUND', `sandbox-bundle: rollup input "${entry}" is not a file. sandbox-bundle needs real entry files.`);
        }
        const dirs = [...new Set(outputs.map((o) => outdirOf(o, cwd)).filter((d): d is string => d !== undefined))];
        if (dirs.length > 1) throw new SandboxError('SB_OPTIONS_INVALID', `sandbox-bundle: the outputs go to ${dirs.length} directories (${dirs.join(', ')}); module paths in a sandboxed bundle are relative to one. Write every output to one directory.`);
        outdir = dirs[0] ?? cwd;
        const options = resolveOptions(userOptions, { entry: entries[0], cwd });
        ctx = createSandboxContext(options, {
          format: options.format ?? formatOf(outputs[0], cwd) ?? 'cjs',
          // Rollup runs ES modules before the CommonJS it wraps: only an ESM start module runs first.
          startFormat: 'esm',
          outdir,
          entries,
          // Rollup composes the maps of every transform; a line-level map is cheap (DESIGN section 6).
          sourceMap: true,
        });
        check = createGraphCheck(describe);
      } catch (error) {
        fail(this, error);
      }
    },

    async resolveId(source, importer, options) {
      if (!ctx || source.startsWith('\0')) return null;
      // node-resolve offers each path it found to the other resolvers once more (marked `resolved`).
      // That is our own inner lookup coming back: the import itself is being decided one level up.
      if (options.custom?.['node-resolve']?.resolved) return null;
      const generated = importer !== undefined && isGenerated(importer);
      // Other plugins' virtual modules (commonjs proxies, helpers) are theirs to resolve: what they
      // import was resolved for a real importer first, and the graph check verifies every edge.
      if (importer !== undefined && !generated && (importer.startsWith('\0') || !path.isAbsolute(importer))) return null;
      const plugin = this as PluginContext;
      let missing = false;
      try {
        const resolution = await ctx.resolveId({
          specifier: source,
          importer: generated ? toCoreId(importer) : importer,
          importerIsGenerated: generated,
          kind: kindOf(options),
          resolve: async (specifier, fromDir) => {
            const own = importer !== undefined && !generated && path.dirname(importer) === fromDir;
            // skipSelf: rollup answers from the other resolvers (node-resolve, Vite's). For a generated
            // importer the core names a directory: any file in it stands in for the importer, and the
            // require flag keeps commonjs from answering with one of its proxies.
            const found = await plugin.resolve(specifier, own ? importer : path.join(fromDir, 'package.json'), {
              attributes: options.attributes,
              isEntry: false,
              skipSelf: true,
              custom: own ? options.custom : { ...options.custom, 'node-resolve': { ...options.custom?.['node-resolve'], isRequire: true } },
            });
            if (!found) {
              missing = true;
              return { missing: true };
            }
            if (found.external) return { external: true };
            // node-resolve lets commonjs wrap what it found in an interop proxy (an ESM importer of a
            // CommonJS file): the file behind it is the answer; commonjs wraps ours again afterwards.
            const file = unwrapProxyId(found.id) ?? found.id;
            if (file.startsWith('\0') || !path.isAbsolute(file)) {
              throw new SandboxError('SB_BUILD_FAILED', `sandbox-bundle: "${specifier}" imported by "${importer}" resolves to "${printableId(found.id)}", a virtual module of another plugin; sandbox-bundle can only check imports of files. Remove the plugin's handling of package imports, or the import.`);
            }
            return { file };
          },
        });
        let answer: ResolvedId | { id: string; external?: boolean; moduleSideEffects?: boolean } | null;
        switch (resolution.type) {
          case 'generated':
            // Generated modules always run: tree-shaking the start module would skip lockdown.
            answer = { id: toRollupId(resolution.id), moduleSideEffects: true };
            break;
          case 'file':
            answer = { id: resolution.file };
            break;
          case 'external':
            answer = { id: resolution.specifier, external: true };
            break;
          default: {
            const kind = kindOf(options);
            if (kind === 'require' && importer !== undefined && !generated) {
              // The app's (or a trusted polyfill's) own require: commonjs would hoist a require rollup
              // cannot resolve into an import that throws at bundle start, uncatchably. A module that
              // throws MODULE_NOT_FOUND where it is required keeps `try { require('optional') }` working.
              const found = missing ? null : await plugin.resolve(source, importer, { ...options, skipSelf: true });
              answer = found ?? { id: missingModule(source), moduleSideEffects: true };
            } else if (missing) {
              // Rollup would keep an unresolved import as an external: loaded by Node, outside the sandbox.
              throw new SandboxError('SB_BUILD_FAILED', `sandbox-bundle: cannot resolve "${source}" imported by "${importer}". Install the package it names, or fix the import.`);
            } else {
              answer = null;
            }
          }
        }
        if (answer && importer !== undefined) check.recordAnswer(importer, answer.id);
        return answer;
      } catch (error) {
        return fail(plugin, error);
      }
    },

    async resolveDynamicImport(specifier, importer, { attributes }) {
      // With inlineDynamicImports, rollup evaluates an imported module at bundle start like a static
      // import: a gate that throws when loaded would stop the app there. The imports are then left
      // as 'import' kind (stand-ins that throw on first use); otherwise the target sits in its own
      // chunk, loaded when import() runs, and a denial rejects the promise (as under esbuild).
      if (inlinesDynamicImports || !ctx || typeof specifier !== 'string' || specifier.startsWith('\0') || !(isGenerated(importer) || packageOf(importer))) return null;
      // Through the whole chain (commonjs must still add its interop proxy), marked as a dynamic import for the core.
      return this.resolve(specifier, importer, { attributes, skipSelf: false, custom: { [CUSTOM_KEY]: { kind: 'dynamic-import' } } });
    },

    load(id) {
      if (!ctx || !isGenerated(id)) return null;
      const own = missingModules.get(id);
      if (own !== undefined) return { code: own, map: null, moduleSideEffects: true };
      const code = ctx.loadGenerated(toCoreId(id));
      if (code === undefined) return this.error(`sandbox-bundle: unknown generated module "${printableId(id)}". This is a bug in sandbox-bundle; please report it.`);
      if (toCoreId(id) === 'start') startId = id;
      return { code, map: null, moduleSideEffects: true };
    },

    transform: {
      // Before @rollup/plugin-commonjs and every other transform: the core must see the package's own
      // source (computed requires, `import(expr)`, free names) before anything links or rewrites it.
      order: 'pre',
      async handler(code, id) {
        if (!ctx || id.startsWith('\0') || id.includes('?') || !path.isAbsolute(id) || !isScriptFile(id)) return null;
        try {
          const result = await ctx.transformFile(id, code);
          transformed.set(id, result !== undefined);
          if (!result) return null;
          // map: null tells rollup the entry's one-line prefix moved nothing worth mapping.
          return { code: result.code, map: (result.map as never) ?? null };
        } catch (error) {
          return fail(this, error);
        }
      },
    },

    // Watch mode and rollup's `cache`: a fresh context per build holds the gates and answers the
    // checks rely on, so every module goes through transform and resolution again.
    shouldTransformCachedModule() {
      return true;
    },

    moduleParsed(info: ModuleInfo) {
      const role = roleOf(info.id);
      if (!role) return;
      const problem = check.inspectParsed(info, role);
      if (problem) this.error(new SandboxError('SB_BUILD_FAILED', problem.message));
    },

    buildEnd(error) {
      if (error || !ctx) return;
      ctx.finish();
      for (const id of this.getModuleIds()) {
        const role = roleOf(id);
        if (role !== 'sandboxed' && role !== 'unseen') continue;
        const problem = check.inspectEdges(this.getModuleInfo(id)!);
        if (problem) this.error(new SandboxError('SB_BUILD_FAILED', problem.message));
      }
      // Only Node's builtins may stay external. Anything else (rollup `external`, Vite `ssr.external`,
      // an import nothing resolved) is loaded by Node at run time with full authority, even when the
      // app imports it: a package's code must be in the bundle to be sandboxed.
      for (const id of this.getModuleIds()) {
        const info = this.getModuleInfo(id)!;
        if (info.isExternal && !info.id.startsWith('node:') && !BUILTINS.has(info.id)) {
          this.error(new SandboxError('SB_BUILD_FAILED', `sandbox-bundle: "${printableId(id)}" is external (imported by ${info.importers.map((i) => `"${printableId(i)}"`).join(', ')}): Node would load it at run time, outside the sandbox. Remove it from the externals (rollup external, Vite ssr.external) so it is bundled and checked, or install it if it is missing.`));
        }
      }
    },

    renderStart(output) {
      if (output.format !== 'cjs' && output.format !== 'es') {
        this.error(new SandboxError('SB_OPTIONS_INVALID', `sandbox-bundle: rollup output.format is "${output.format}"; sandboxed bundles run on Node. Set output.format to "cjs" or "es".`));
      }
      // Every module must run strict: sloppy `this` and caller chains leak the real global, and ses refuses to lock down.
      if (output.format === 'cjs' && !output.strict) {
        this.error(new SandboxError('SB_OPTIONS_INVALID', 'sandbox-bundle: rollup output.strict is false; every module of a sandboxed bundle must run in strict mode. Remove output.strict: false.'));
      }
    },

    generateBundle(output, bundle) {
      const base = output.file ? path.dirname(path.resolve(cwd, output.file)) : output.dir ? path.resolve(cwd, output.dir) : undefined;
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        if (output.format === 'cjs' && !/^(?:#![^\n]*\n)?(?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*\n)*(['"])use strict\1/.test(chunk.code)) {
          this.error(new SandboxError('SB_OPTIONS_INVALID', `sandbox-bundle: output chunk "${chunk.fileName}" does not start with "use strict" (a banner or intro with code comes before it?); every module of a sandboxed bundle must run in strict mode. Make the banner/intro a comment, or move the code into a module.`));
        }
        // Module paths were made relative to `outdir` when the modules were transformed; the start module computes the bundle directory from where it lands.
        if (base !== undefined && startId && chunk.moduleIds.includes(startId)) {
          const actual = path.dirname(path.resolve(base, chunk.fileName));
          if (actual !== outdir) {
            this.error(new SandboxError('SB_OPTIONS_INVALID', `sandbox-bundle: the bundle is written to "${actual}", but its modules were prepared for "${outdir}". Pass the output options to rollup() with the input options (rollup({ input, plugins, output })), the way config files and Vite do, and write the bundle there.`));
          }
        }
      }
    },
  };
}

export default sandbox;
