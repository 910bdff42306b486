// One sandboxed build from the JS API or the CLI: run the chosen bundler, then write the outputs all at once.

import fs from 'node:fs';
import path from 'node:path';
import { SandboxError, isSandboxError } from './errors.js';
import { inferFormat, type SandboxOptions, type OutputFormat } from './options.js';

export type BundlerName = 'esbuild' | 'rollup';

export interface BuildRequest extends SandboxOptions {
  entry: string;
  outfile: string;
  bundler?: BundlerName;
  /** Write `<outfile>.map` and a sourceMappingURL comment (default true). */
  sourcemap?: boolean;
  cwd?: string;
}

export interface BuildResult {
  outfile: string;
  format: OutputFormat;
  files: string[];
  warnings: string[];
}

export interface OutputFile {
  path: string;
  contents: string | Uint8Array;
}

/** Writes every output to a temporary name first, then renames: a failed build leaves no half-written file. */
function writeAtomically(files: OutputFile[]): void {
  const staged = files.map((file) => {
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    const temp = `${file.path}.${process.pid}.tmp`;
    fs.writeFileSync(temp, file.contents);
    return { temp, final: file.path };
  });
  for (const { temp, final } of staged) fs.renameSync(temp, final);
}

async function buildWithEsbuild(request: BuildRequest, entry: string, outfile: string, format: OutputFormat): Promise<{ files: OutputFile[]; warnings: string[] }> {
  const esbuild = await import('esbuild');
  const { sandbox } = await import('../plugins/esbuild/index.js');
  try {
    const result = await esbuild.build({
      absWorkingDir: request.cwd ?? process.cwd(),
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format,
      target: 'node20',
      sourcemap: request.sourcemap === false ? false : true,
      write: false,
      logLevel: 'silent',
      plugins: [sandbox({ ...request, format })],
    });
    const warnings = result.warnings.map((w) => `${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`);
    return { files: result.outputFiles.map((f) => ({ path: f.path, contents: f.contents })), warnings };
  } catch (error) {
    const failure = error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null; detail?: unknown }[] };
    const own = failure.errors?.find((e) => isSandboxError(e.detail));
    if (own) throw own.detail;
    if (failure.errors?.length) {
      const lines = failure.errors.map((e) => `  - ${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ''}${e.text}`);
      throw new SandboxError('SB_BUILD_FAILED', `sandbox-bundle: esbuild failed with ${lines.length} error${lines.length > 1 ? 's' : ''}. Fix the code or options it names:\n${lines.join('\n')}`, { cause: error });
    }
    throw error;
  }
}

export async function buildSandboxed(request: BuildRequest): Promise<BuildResult> {
  const cwd = request.cwd ?? process.cwd();
  const entry = path.resolve(cwd, request.entry);
  if (!fs.existsSync(entry) || !fs.statSync(entry).isFile()) {
    throw new SandboxError('SB_ENTRY_NOT_FOUND', `sandbox-bundle: entry file "${request.entry}" does not exist (looked at "${entry}"). Pass the path of your app's main file.`);
  }
  const outfile = path.resolve(cwd, request.outfile);
  const format = request.format ?? inferFormat(outfile);
  const bundler = request.bundler ?? 'esbuild';
  if (bundler !== 'esbuild' && bundler !== 'rollup') {
    throw new SandboxError('SB_OPTIONS_INVALID', `sandbox-bundle: bundler ${JSON.stringify(bundler)} is not supported. Use "esbuild" or "rollup".`);
  }
  // rollup and its plugins load only when asked for.
  const { files, warnings } = bundler === 'rollup' ? await (await import('../plugins/rollup/build.js')).buildWithRollup(request, entry, outfile, format) : await buildWithEsbuild(request, entry, outfile, format);
  writeAtomically(files);
  return { outfile, format, files: files.map((f) => f.path), warnings };
}
