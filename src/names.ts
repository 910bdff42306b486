// Identifiers shared by the build side and the runtime shim, defined once (imported by both).

/** The one specifier package code may write to reach sandbox machinery: it always resolves to the importer's own scope. */
export const SCOPE_SPECIFIER = 'sandbox-bundle:scope';
/** Prefix reserved for modules the plugin generates; any other use from package code is a build error. */
export const RESERVED_PREFIX = 'sandbox-bundle:';
/** The root package's canonical name (LavaMoat's spelling). */
export const ROOT_PACKAGE = '$root$';
/** Error code of every run-time denial. */
export const PERMISSION_DENIED_CODE = 'SB_PERMISSION_DENIED';
