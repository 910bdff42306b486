// Error classes with stable codes (SB_*) shared by the build side; the CLI turns them into text and exit codes.

/** Every stable error code sandbox-bundle raises at build time. */
export type SandboxErrorCode =
  | 'SB_POLICY_INVALID'
  | 'SB_POLICY_NOT_FOUND'
  | 'SB_OPTIONS_INVALID'
  | 'SB_ENTRY_NOT_FOUND'
  | 'SB_UNSUPPORTED_SYNTAX'
  | 'SB_RESERVED_SPECIFIER'
  | 'SB_PACKAGE_UNKNOWN'
  | 'SB_BUILD_FAILED'
  | 'SB_PLUGIN_ORDER';

/**
 * A problem the user can fix. `message` follows the house form:
 * `sandbox-bundle: <what happened> <where>. <how to fix>.`
 */
export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  /** Individual problems when one error stands for several (policy validation reports all at once). */
  readonly problems: readonly string[];

  constructor(code: SandboxErrorCode, message: string, options: { cause?: unknown; problems?: readonly string[] } = {}) {
    super(message.startsWith('sandbox-bundle:') ? message : `sandbox-bundle: ${message}`, { cause: options.cause });
    this.name = 'SandboxError';
    this.code = code;
    this.problems = options.problems ?? [];
  }
}

export function isSandboxError(error: unknown): error is SandboxError {
  return error instanceof SandboxError;
}
