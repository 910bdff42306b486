// The esbuild plugin used from esbuild's own JS API: a working bundle, and errors through esbuild's channel.

import { describe, it, expect } from 'vitest';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandbox } from '../../plugins/esbuild/index.js';
import { scratchDir } from '../scratch.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const app = path.join(repo, 'test/fixtures/mini-app');
const work = scratchDir('sb-esbuild-');

/** One sandboxed esbuild build of the mini app. */
function buildMiniApp(outfile: string, policy: object) {
  return build({
    entryPoints: [path.join(app, 'index.js')],
    outfile,
    bundle: true,
    platform: 'node',
    logLevel: 'silent',
    plugins: [sandbox({ policy: policy as never })],
  });
}

describe('sandbox() esbuild plugin', () => {
  it('builds a runnable sandboxed bundle from a policy object', async () => {
    const outfile = path.join(work, 'plugin.cjs');
    await buildMiniApp(outfile, { resources: { greeter: { builtin: { 'path.basename': true } } } });
    const result = spawnSync(process.execPath, [outfile], { encoding: 'utf8' });
    expect(result.stdout).toBe('hello world from greeter\n');
    expect(result.status).toBe(0);
  });

  it('denies at run time what the policy object does not grant', async () => {
    const outfile = path.join(work, 'denied.cjs');
    await buildMiniApp(outfile, { resources: {} });
    const result = spawnSync(process.execPath, [outfile], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('package "greeter" may not use builtin "path"');
    expect(result.stderr).toContain('SB_PERMISSION_DENIED');
  });

  it('reports a bad policy through esbuild errors and writes nothing', async () => {
    const outfile = path.join(work, 'never.cjs');
    const failure = await buildMiniApp(outfile, { resources: { greeter: { native: 'yes' } } }).catch((error) => error);
    expect(failure.errors[0].text).toMatch(/resources\["greeter"\]\.native: expected true or false, got "yes"/);
    expect(fs.existsSync(outfile)).toBe(false);
  });

  it.each([
    [{ platform: 'browser' as const, bundle: true }, /Set platform: "node"/],
    [{ platform: 'node' as const, bundle: false }, /Set bundle: true/],
    [{ platform: 'node' as const, bundle: true, external: ['greeter'] }, /external lists "greeter"; external packages run outside the sandbox/],
    [{ platform: 'node' as const, bundle: true, packages: 'external' as const }, /packages: "external"/],
  ])('refuses options it cannot sandbox: %j', async (options, message) => {
    const failure = await build({ entryPoints: [path.join(app, 'index.js')], outfile: path.join(work, 'x.cjs'), logLevel: 'silent', write: false, plugins: [sandbox({ policy: { resources: {} } })], ...options }).catch((error) => error);
    expect(failure.errors[0].text).toMatch(message);
  });
});
