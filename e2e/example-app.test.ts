// The example app (examples/app): its sandboxed bundle prints exactly what plain node prints, with
// each bundler and output format, and the sandbox adds nothing to stderr.

import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, excerpt, REPO_ROOT, runNode, SANDBOX_CHATTER, selectedBundlers, type Format, type RunResult } from './harness.js';

const TIMEOUT_MS = 60_000;
const APP_DIR = path.join(REPO_ROOT, 'examples', 'app');
const FORMATS: Format[] = ['cjs', 'esm'];
const cases = selectedBundlers().flatMap((bundler) => FORMATS.map((format) => ({ bundler, format })));

describe('examples/app', () => {
  let plain: RunResult;

  beforeAll(async () => {
    plain = await runNode(path.join(APP_DIR, 'index.js'), { cwd: APP_DIR });
  }, TIMEOUT_MS);

  it('runs under plain node', () => {
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toContain('report done: 11 lines');
  });

  it.each(cases)(
    'sandboxed $bundler/$format prints the same output',
    async ({ bundler, format }) => {
      const outfile = await buildApp(APP_DIR, 'index.js', bundler, { format, outName: 'example-app' });
      // Another cwd on purpose: the package reading its asset must rely on __dirname, not on cwd.
      const run = await runNode(outfile, { cwd: os.tmpdir() });
      const context = `\n--- stderr ---\n${excerpt(run.stderr)}`;
      expect(run.code, `exit code${context}`).toBe(0);
      expect.soft(run.stdout, `stdout differs from plain node${context}`).toBe(plain.stdout);
      expect.soft(run.stderr, 'sandbox chatter on stderr').not.toMatch(SANDBOX_CHATTER);
      expect.soft(run.stderr, 'stderr of a benign run').toBe('');
    },
    TIMEOUT_MS,
  );
});
