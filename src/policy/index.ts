// The policy module's public surface: re-exports only.
export type { GlobalGrant, PackageGrant, PackagePolicy, PolicyFile, RuntimePackagePolicy, RuntimePolicy } from './types.js';
export { assertPolicy } from './validate-policy.js';
export { loadPolicy, loadPolicyWithOverride, readPolicyJson, POLICY_OVERRIDE_FILE_NAME } from './load-policy.js';
export { mergePolicies } from './merge-policy.js';
export { normalizeBuiltinName, resolveRuntimePolicy } from './resolve-runtime-policy.js';
export { stringifyPolicy } from './serialize-policy.js';
export { diffPolicies, grantsOf, covers, type Grant, type Door, type PackageDiff } from './diff-policy.js';
export { describeDanger, type GrantField } from './dangerous-grants.js';
export { convertLavaMoatPolicy, type LavaMoatConversion } from './lavamoat-policy.js';
export { findLavaMoatFeatures } from './lavamoat-features.js';
