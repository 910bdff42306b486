// The public API: re-exports, and the policy generator loaded on first use.
import type { GeneratePolicyRequest, PolicyGeneration } from './analysis/generate-policy.js';

export { buildSandboxed, type BuildRequest, type BuildResult, type BundlerName } from './build.js';
export { resolveOptions, DEFAULT_LOCKDOWN, type SandboxOptions, type ResolvedOptions, type LockdownOptions, type OutputFormat } from './options.js';
export { SandboxError, isSandboxError, type SandboxErrorCode } from './errors.js';
export { loadPolicy, loadPolicyWithOverride, mergePolicies, assertPolicy, resolveRuntimePolicy, type PolicyFile, type PackagePolicy } from './policy/index.js';
export type { GeneratePolicyRequest, PolicyGeneration, PackageFindings, Evidence, ImportEdge } from './analysis/generate-policy.js';
export { stringifyPolicy, diffPolicies, convertLavaMoatPolicy, type PackageDiff, type Grant, type LavaMoatConversion } from './policy/index.js';

/**
 * Generates a policy from what the app's packages reach for (see analysis/generate-policy.ts). Loaded
 * on first call: the generator brings Babel, ~150 ms of module loading that a build (through this API
 * or the CLI, which registers the policy commands too) does not need.
 */
export async function generatePolicy(request: GeneratePolicyRequest): Promise<PolicyGeneration> {
  const generator = await import('./analysis/generate-policy.js');
  return generator.generatePolicy(request);
}
