// The CLI/JS API build with rollup: node-resolve + commonjs + json + sandbox(), generated in memory for the caller's atomic write.

import path from 'node:path';
import type { OutputOptions, Plugin, RollupBuild, RollupLog } from 'rollup';
import type { RollupCommonJSOptions } from '@rollup/plugin-commonjs';
import type { BuildRequest, OutputFile } from '../../src/build.js';
import { SandboxError, isSandboxError, type SandboxErrorCode } from '../../src/errors.js';
import type { OutputFormat } from '../../src/options.js';
import { sandbox } from './index.js';

/** Rollup warnings that say nothing the user can act on in a sandboxed build. */
const QUIET = new Set(['CIRCULAR_DEPENDENCY', 'THIS_IS_UNDEFINED']);

function describeLog(log: RollupLog): string {
  const where = log.loc ? `${log.loc.file ?? log.id ?? ''}:${log.loc.line}:${log.loc.column}: ` : log.id ? `${log.id}: ` : '';
  return `${where}${log.message}`;
}

/** Rollup reports a plugin's error under code PLUGIN_ERROR and keeps the plugin's own code as `pluginCode`. */
function toSandboxError(error: unknown): unknown {
  const failure = error as RollupLog & Error;
  if (isSandboxError(error)) {
    if (failure.pluginCode) (error as { code: SandboxErrorCode }).code = failure.pluginCode as SandboxErrorCode;
    // Rollup prefixes "[plugin sandbox-bundle] <file>: "; our messages already say where.
    error.message = error.message.slice(error.message.indexOf('sandbox-bundle:'));
    return error;
  }
  if (failure && typeof failure === 'object' && 'code' in failure) {
    return new SandboxError('SB_BUILD_FAILED', `sandbox-bundle: rollup failed. Fix the code or options it names:\n  - ${describeLog(failure)}`, { cause: error });
  }
  return error;
}

export async function buildWithRollup(request: BuildRequest, entry: string, outfile: string, format: OutputFormat): Promise<{ files: OutputFile[]; warnings: string[] }> {
  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  // Their types describe the CommonJS build; the ESM build Node loads here has the factory as default export.
  const commonjs = (await import('@rollup/plugin-commonjs')).default as unknown as (options: RollupCommonJSOptions) => Plugin;
  const json = (await import('@rollup/plugin-json')).default as unknown as () => Plugin;
  const cwd = request.cwd ?? process.cwd();
  const sourcemap = request.sourcemap !== false;
  // Dynamic imports get chunks beside the bundle, named after it with its extension (a .js chunk
  // next to a .cjs bundle could be read as ESM): a chunk loads when import() runs, so a denied
  // import() rejects there. Inlined, rollup would run its target at bundle start.
  const ext = path.extname(outfile);
  const output: OutputOptions = {
    dir: path.dirname(outfile),
    entryFileNames: path.basename(outfile),
    chunkFileNames: `${path.basename(outfile, ext)}.chunk-[hash]${ext}`,
    format: format === 'esm' ? 'es' : 'cjs',
    sourcemap,
    exports: 'auto',
  };
  const warnings: string[] = [];
  const at = (p: string | undefined) => (p === undefined ? undefined : path.resolve(cwd, p));
  let bundle: RollupBuild | undefined;
  try {
    bundle = await rollup({
      input: entry,
      // Given here too so the plugin knows where the bundle goes while it transforms modules.
      output,
      plugins: [
        sandbox({ ...request, format, root: at(request.root), policy: typeof request.policy === 'string' ? at(request.policy) : request.policy, policyOverride: at(request.policyOverride) }),
        nodeResolve({ exportConditions: ['node'], preferBuiltins: true, rootDir: cwd }),
        commonjs({ strictRequires: true, transformMixedEsModules: true, extensions: ['.js', '.cjs', '.mjs', ''] }),
        json(),
      ],
      onLog(level, log) {
        if (level === 'warn' && !QUIET.has(log.code ?? '')) warnings.push(describeLog(log));
      },
    });
    const { output: chunks } = await bundle.generate(output);
    // Rollup 4 returns the source map as an asset and the chunk code with its sourceMappingURL comment.
    const dir = path.dirname(outfile);
    const files: OutputFile[] = chunks.map((item) => ({ path: path.join(dir, item.fileName), contents: item.type === 'chunk' ? item.code : item.source }));
    return { files, warnings };
  } catch (error) {
    throw toSandboxError(error);
  } finally {
    await bundle?.close();
  }
}
