// A fake host for running the runtime from source in tests: Node's real builtins, no ses.

import { createRequire, builtinModules } from 'node:module';
import type { HostPowers } from '../../src/runtime/host.js';

const require = createRequire(import.meta.url);

/** Stands in for ses: a Compartment is only a fresh global object holding its endowments. */
class FakeCompartment {
  globalThis: Record<string, unknown>;
  constructor(options: { globals: Record<string, unknown> }) {
    this.globalThis = { ...options.globals };
    this.globalThis.globalThis = this.globalThis;
  }
  evaluate(): unknown {
    throw new Error('not used');
  }
}

export const powers = { Compartment: FakeCompartment as any, harden: <T>(value: T) => value };

export function createHost(): HostPowers {
  return { realGlobal: globalThis as any, loadBuiltin: (name) => require(name), builtinModules, bundleDir: '/srv/app/dist', lockdown: () => powers };
}
