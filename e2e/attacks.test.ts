// Every attack scenario in e2e/fixtures, built with each bundler and run with node; and run unbundled
// under plain node to show the attack is real there.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BuildError,
  buildFixture,
  excerpt,
  listScenarios,
  runNode,
  SANDBOX_CHATTER,
  selectedBundlers,
  type Bundler,
  type Format,
  type Scenario,
} from './harness.js';

const TIMEOUT_MS = 60_000;
const scenarios = listScenarios();
const bundlers = selectedBundlers();

interface Case {
  bundler: Bundler;
  format: Format;
  /** esbuild's rebuild from the cache's wrapped tree (see BuildOptions.reuseTree); else esbuild builds with no cache, through its hooks. */
  reuseTree: boolean;
  /** How the test names the case. */
  how: string;
  skipReason?: string;
}

function casesOf(scenario: Scenario): Case[] {
  return scenario.formats.flatMap((format) =>
    bundlers.flatMap((bundler) =>
      (bundler === 'esbuild' ? [false, true] : [false]).map((reuseTree) => ({
        bundler,
        format,
        reuseTree,
        how: `${bundler}${bundler === 'esbuild' ? (reuseTree ? ' (rebuilt from the wrapped tree)' : ' (no cache: through the hooks)') : ''}/${format}`,
        skipReason: scenario.bundlers.includes(bundler) ? undefined : scenario.skipReason[bundler],
      })),
    ),
  );
}

/** Lines outside ASCII in the bundle and the chunks written beside it, as "file:line: text". */
function nonAsciiLines(outfile: string): string[] {
  const dir = path.dirname(outfile);
  const stem = path.basename(outfile).replace(/\.[cm]js$/, '');
  return readdirSync(dir)
    .filter((name) => name.startsWith(`${stem}.`) && /\.[cm]?js$/.test(name))
    .flatMap((name) =>
      readFileSync(path.join(dir, name), 'utf8')
        .split('\n')
        .flatMap((line, index) => (/[^\x00-\x7f]/.test(line) ? [`${name}:${index + 1}: ${line.slice(0, 160)}`] : [])),
    );
}

function matches(pattern: string, text: string): boolean {
  return new RegExp(pattern, 'is').test(text);
}

/** A build failure that the scenario accepts as the sandbox refusing the attack outright. */
function isAllowedRefusal(scenario: Scenario, error: unknown): error is BuildError {
  const allowance = scenario.buildErrorAllowed;
  if (!allowance || !(error instanceof BuildError)) return false;
  if (!matches(allowance.stderrMatches, error.stderr)) return false;
  return !(allowance.stderrNotMatches && matches(allowance.stderrNotMatches, error.stderr));
}

describe.each(scenarios)('$name ($designRef)', (scenario) => {
  const cases = casesOf(scenario);
  const runnable = cases.filter((c) => c.skipReason === undefined);

  for (const skipped of cases.filter((c) => c.skipReason !== undefined)) {
    it.skip(`sandboxed ${skipped.how}: ${skipped.skipReason}`, () => {});
  }

  if (runnable.length > 0) {
    it.each(runnable)(
      'sandboxed $how: every attack is blocked and the legit work succeeds',
      async ({ bundler, format, reuseTree, how }) => {
        let outfile: string;
        try {
          outfile = await buildFixture(scenario.name, bundler, { format, reuseTree });
        } catch (error) {
          if (isAllowedRefusal(scenario, error)) {
            // Refused at build time: no attack can run. Logged so the refusal shows in the test output.
            console.info(`[${scenario.name}] ${how} refused at build time: ${error.stderr.trim().split('\n')[0]}`);
            return;
          }
          throw error;
        }

        if (scenario.asciiBundleWith.includes(bundler)) expect.soft(nonAsciiLines(outfile), 'lines of the bundle outside ASCII').toEqual([]);
        const run = await runNode(outfile, { cwd: scenario.dir, env: scenario.env });
        const context = `\n--- stdout ---\n${excerpt(run.stdout)}\n--- stderr ---\n${excerpt(run.stderr)}`;
        expect(run.code, `exit code (signal ${run.signal})${context}`).toBe(0);
        expect(run.report, `the last stdout line must be the JSON report${context}`).not.toBeNull();
        const report = run.report!;

        expect(Object.keys(report.attacks).sort(), `attack names${context}`).toEqual([...scenario.attacks].sort());
        const notBlocked = Object.entries(report.attacks).filter(([, result]) => !String(result).startsWith('blocked'));
        expect.soft(notBlocked, `attacks that were not blocked${context}`).toEqual([]);
        for (const [name, pattern] of Object.entries(scenario.blockedMatch)) {
          expect.soft(report.attacks[name], `how "${name}" was blocked`).toMatch(new RegExp(pattern, 'is'));
        }
        expect.soft(report.legit, `the app's legit work${context}`).toEqual(scenario.legit);
        for (const line of scenario.stdoutIncludes) {
          expect.soft(run.stdout, 'output the app must not lose').toContain(line);
        }
        if (scenario.benign) expect.soft(run.stderr, 'sandbox chatter on stderr').not.toMatch(SANDBOX_CHATTER);
      },
      TIMEOUT_MS,
    );
  }

  const plainTitle = scenario.escapesUnderPlainNode
    ? 'plain node: the attacks escape (the threat is real)'
    : 'plain node: the app works and the attacks find nothing to reach';
  it(
    plainTitle,
    async () => {
      const run = await runNode(path.join(scenario.dir, scenario.entry), { cwd: scenario.dir, env: scenario.env });
      const context = `\n--- stdout ---\n${excerpt(run.stdout)}\n--- stderr ---\n${excerpt(run.stderr)}`;
      expect(run.report, `the last stdout line must be the JSON report${context}`).not.toBeNull();
      const report = run.report!;
      expect(Object.keys(report.attacks).sort(), `attack names${context}`).toEqual([...scenario.attacks].sort());

      if (scenario.escapesUnderPlainNode) {
        for (const [name, result] of Object.entries(report.attacks)) {
          if (name in scenario.plainNodeBlocked) expect.soft(result, `"${name}" (bundle-only attack)`).toMatch(/^blocked/);
          else expect.soft(result, `"${name}" must escape under plain node`).toBe('escaped');
        }
      } else {
        expect(run.code, `exit code${context}`).toBe(0);
        for (const [name, result] of Object.entries(report.attacks)) expect.soft(result, name).toMatch(/^blocked/);
        expect.soft(report.legit, 'legit work').toEqual(scenario.legit);
      }
    },
    TIMEOUT_MS,
  );
});
