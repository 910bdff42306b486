// The policy module's public surface: re-exports only.
export type { GlobalGrant, PackageGrant, PackagePolicy, PolicyFile, RuntimePackagePolicy, RuntimePolicy } from './types.js';
export { assertPolicy } from './validate-policy.js';
export { loadPolicy, loadPolicyWithOverride, POLICY_OVERRIDE_FILE_NAME } from './load-policy.js';
export { mergePolicies } from './merge-policy.js';
export { normalizeBuiltinName, resolveRuntimePolicy } from './resolve-runtime-policy.js';
