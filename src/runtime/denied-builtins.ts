// Builtins a package's policy names only with `false` entries: they load, without those members (see RuntimePolicy.deniedBuiltins).

import type { RuntimePolicy } from '../policy/types.js';

/** Does `pkg`'s policy name builtin `name` without granting any of it? Both the build's gates and the runtime ask. */
export function isNamedWithoutGrant(policy: RuntimePolicy, pkg: string, name: string): boolean {
  const denied = policy.deniedBuiltins;
  return !!denied && Object.prototype.hasOwnProperty.call(denied, pkg) && denied[pkg]!.includes(name);
}
