// Policy types: the LavaMoat file format we read, and the normalized form the runtime enforces.

/** A grant on a global: `true` to read, `"write"` to also assign it for everyone. */
export type GlobalGrant = boolean | 'write';
/** A grant on another package: `true` to use its exports, `"write"` to also modify them (our extension). */
export type PackageGrant = boolean | 'write';

/** One package's entry in `resources`, as written in a policy file (LavaMoat format). */
export interface PackagePolicy {
  /** Host globals by dotted member path, e.g. `"console": true`, `"process.env": true`. */
  globals?: Record<string, GlobalGrant>;
  /** Node builtins by dotted member path, e.g. `"fs.readFile": true`; `node:fs` and `fs` are one builtin. */
  builtin?: Record<string, boolean>;
  /** Other packages by canonical name, e.g. `"a>b": true`. */
  packages?: Record<string, PackageGrant>;
  /** May load native addons (`*.node`). */
  native?: boolean;
}

/** A policy file: `{"resources": {"<canonical name>": PackagePolicy}}`. */
export interface PolicyFile {
  resources: Record<string, PackagePolicy>;
}

/** One package's grants after normalization: only granted entries, `node:` prefixes stripped, keys sorted. */
export interface RuntimePackagePolicy {
  globals: Record<string, true | 'write'>;
  builtin: Record<string, true>;
  packages: Record<string, true | 'write'>;
  native: boolean;
}

/** What the runtime shim receives: every package that has any grant. A package absent here has none. */
export interface RuntimePolicy {
  resources: Record<string, RuntimePackagePolicy>;
  /**
   * Per package, the builtins its policy names only with `false` entries (`"worker_threads.Worker": false`),
   * sorted: requiring one loads a facade with none of its members instead of being refused. A builtin
   * the policy does not name at all is still refused. Present only when some package has one.
   */
  deniedBuiltins?: Record<string, string[]>;
}
