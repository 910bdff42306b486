// Scripts run in a fresh node for the runtime's tests: a lockdown cannot be undone, so each observation needs a process of its own.

import { spawnSync } from 'node:child_process';

/** Runs `script` (`node [nodeArgs] -e script`); throws with the child's stderr unless it exits 0. */
export function runNodeScript(script: string, nodeArgs: readonly string[] = []): { stdout: string; stderr: string } {
  // The RegExp corpus prints ~1 MB of observations: more than spawnSync's default buffer.
  const run = spawnSync(process.execPath, [...nodeArgs, '-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`child node exited ${run.status}: ${run.stderr}`);
  return { stdout: run.stdout, stderr: run.stderr };
}

/** runNodeScript, for a script that prints one JSON value on stdout: that value. */
export function runNodeScriptForJson<T = unknown>(script: string, nodeArgs: readonly string[] = []): T {
  return JSON.parse(runNodeScript(script, nodeArgs).stdout) as T;
}
