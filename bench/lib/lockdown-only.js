// How a bench script starts the plain bundle under ses lockdown alone (the `lockdown` variant): the
// preload (lockdown-only.cjs) and the environment it reads the lockdown options from.

import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const LIB = path.dirname(fileURLToPath(import.meta.url));

/** Node arguments that load the preload before the bundle. */
export const LOCKDOWN_ONLY_PRELOAD = ['-r', path.join(LIB, 'lockdown-only.cjs')];

/** The environment for that run: the lockdown options a sandboxed bundle passes (the tool's defaults, from dist). */
export async function lockdownOnlyEnv() {
  const { DEFAULT_LOCKDOWN } = await import(pathToFileURL(path.join(LIB, '../../dist/src/options.js')).href);
  return { ...process.env, BENCH_LOCKDOWN_OPTIONS: JSON.stringify(DEFAULT_LOCKDOWN) };
}
