// RegExp split, replace and match after lockdown (src/runtime/regexp-twins.ts): the same outcome as plain Node in every case, routed where the spec allows.

import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LOCKDOWN } from '../../src/options.js';
import { TOOL_ROOT } from '../../src/context.js';
import { runNodeScript, runNodeScriptForJson } from '../child-node.js';

const CORPUS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'regexp-corpus.cjs');

interface Observed {
  observation: { outcome: unknown; log: unknown[]; via?: 'twin' | 'original' };
  expectedVia: 'twin' | 'original';
}

/**
 * Runs the corpus in a fresh node: plain, or with the routing methods installed and ses locked down.
 * The private realm given to them counts its calls without touching that realm's RegExp.prototype
 * (which would take V8 off the fast path this is about): its constructor and methods are reached
 * through a stand-in that forwards to the untouched originals.
 */
function runCorpus(mode: 'plain' | 'routed'): Record<string, Observed> {
  const script = `
    'use strict';
    let countCalls;
    if (${JSON.stringify(mode)} === 'routed') {
      require(${JSON.stringify(path.join(TOOL_ROOT, 'dist', 'ses.cjs'))});
      const { installRegExpTwins } = require(${JSON.stringify(path.join(TOOL_ROOT, 'dist', 'runtime.cjs'))});
      let calls = 0;
      installRegExpTwins(() => {
        const realm = require('node:vm').runInNewContext('globalThis');
        const P = realm.RegExp.prototype;
        const counted = (method) => function (...args) { calls++; return Reflect.apply(method, this, args); };
        const StandIn = function (source, flags) { return new realm.RegExp(source, flags); };
        StandIn.prototype = { [Symbol.split]: counted(P[Symbol.split]), [Symbol.replace]: counted(P[Symbol.replace]), [Symbol.match]: counted(P[Symbol.match]) };
        return { RegExp: StandIn };
      });
      lockdown(${JSON.stringify(DEFAULT_LOCKDOWN)});
      countCalls = () => calls;
    }
    process.stdout.write(JSON.stringify(require(${JSON.stringify(CORPUS)}).runCorpus(countCalls)));
  `;
  return runNodeScriptForJson<Record<string, Observed>>(script);
}

describe('RegExp split, replace and match after lockdown', () => {
  const plain = runCorpus('plain');
  const routed = runCorpus('routed');
  const names = Object.keys(plain);

  it('runs the whole corpus in both', () => {
    expect(names.length).toBeGreaterThan(40);
    expect(Object.keys(routed)).toEqual(names);
  });

  it.each(names)('%s: same outcome and same calls into user code as plain Node', (name) => {
    expect(routed[name]!.observation.outcome).toEqual(plain[name]!.observation.outcome);
    expect(routed[name]!.observation.log).toEqual(plain[name]!.observation.log);
  });

  it.each(names)('%s: routed as expected', (name) => {
    expect(routed[name]!.observation.via).toBe(routed[name]!.expectedVia);
  });

  it('installs nothing once RegExp.prototype is frozen, so a second bundle in the process gets lockdown\'s own error', () => {
    const script = `
      require(${JSON.stringify(path.join(TOOL_ROOT, 'dist', 'ses.cjs'))});
      const { installRegExpTwins } = require(${JSON.stringify(path.join(TOOL_ROOT, 'dist', 'runtime.cjs'))});
      lockdown(${JSON.stringify(DEFAULT_LOCKDOWN)});
      const split = RegExp.prototype[Symbol.split];
      installRegExpTwins(() => { throw new Error('opened'); });
      let second;
      try { lockdown(${JSON.stringify(DEFAULT_LOCKDOWN)}); } catch (error) { second = error.message; }
      process.stdout.write(JSON.stringify({ unchanged: RegExp.prototype[Symbol.split] === split, second }));
    `;
    const run = runNodeScript(script);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ unchanged: true, second: expect.stringMatching(/Already locked down/) });
  });

  it('hands back only arrays and errors of the calling realm', () => {
    for (const name of names) {
      const outcome = routed[name]!.observation.outcome as { arraysAreOurs?: boolean; ourErrorClass?: boolean };
      if ('arraysAreOurs' in outcome) expect(outcome.arraysAreOurs, name).toBe(true);
      else expect(outcome.ourErrorClass, name).toBe(true);
    }
  });
});
