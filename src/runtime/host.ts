// The powers the runtime receives from the bundle's start module: it imports nothing from the host itself.

import type { RuntimePolicy } from '../policy/types.js';

/** Only what the runtime uses of a Node builtin module or object; no Node types in this tsconfig. */
export type AnyObject = Record<PropertyKey, any>;

export interface HostPowers {
  /** The real global object, before any package code has run. */
  realGlobal: AnyObject;
  /** Node's real `require`, used only to load builtins the policy grants. */
  loadBuiltin(name: string): AnyObject;
  /** Node's builtin module names (without `node:`). */
  builtinModules: readonly string[];
  /** Directory of the bundle file at run time: package paths are joined to it. */
  bundleDir: string;
  /**
   * Runs ses's `lockdown` and returns the globals it installs. They must be read after lockdown:
   * the `Compartment` global seen before lockdown makes compartments with the untamed intrinsics.
   */
  lockdown(options: Record<string, string>): LockedDownPowers;
}

export interface LockedDownPowers {
  Compartment: new (options: AnyObject) => { globalThis: AnyObject; evaluate(code: string): unknown };
  harden<T>(value: T): T;
}

/** Data baked into the bundle at build time. */
export interface SandboxConfig {
  policy: RuntimePolicy;
  /** enforce (default): denials throw; warn: reported once and allowed; record: everything allowed and every use recorded. */
  mode?: 'enforce' | 'warn' | 'record';
  /** warn: JSON Lines report file (default stderr); record: policy file to merge observations into. */
  monitorFile?: string;
  /** Every lockdown option, explicit: ses otherwise reads LOCKDOWN_* from the environment at run time. */
  lockdownOptions: Record<string, string>;
  /** false: leave the prototypes of Node's classes open (the sealNodePrototypes build option). Default true. */
  sealNodePrototypes?: boolean;
}
