// The public API: re-exports only.
export { buildSandboxed, type BuildRequest, type BuildResult, type BundlerName } from './build.js';
export { resolveOptions, DEFAULT_LOCKDOWN, type SandboxOptions, type ResolvedOptions, type LockdownOptions, type OutputFormat } from './options.js';
export { SandboxError, isSandboxError, type SandboxErrorCode } from './errors.js';
export { loadPolicy, loadPolicyWithOverride, mergePolicies, assertPolicy, resolveRuntimePolicy, type PolicyFile, type PackagePolicy } from './policy/index.js';
export { generatePolicy, type GeneratePolicyRequest, type PolicyGeneration, type PackageFindings, type Evidence, type ImportEdge } from './analysis/generate-policy.js';
export { stringifyPolicy, diffPolicies, convertLavaMoatPolicy, type PackageDiff, type Grant, type LavaMoatConversion } from './policy/index.js';
