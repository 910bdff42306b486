// PermissionError: what every run-time denial throws, naming the package, the attempt and the policy entry to add.

import { PERMISSION_DENIED_CODE } from '../names.js';

export type PermissionKind = 'builtin' | 'global' | 'package' | 'native' | 'exports' | 'file';

/** The policy field that grants each kind of permission. */
export const POLICY_FIELD: Record<PermissionKind, 'globals' | 'builtin' | 'packages' | 'native'> = {
  builtin: 'builtin',
  global: 'globals',
  package: 'packages',
  native: 'native',
  exports: 'packages',
  file: 'packages',
};

export class PermissionError extends Error {
  readonly code = PERMISSION_DENIED_CODE;
  readonly package: string;
  readonly kind: PermissionKind;
  readonly permission: string;

  constructor(packageName: string, kind: PermissionKind, permission: string, hint?: string) {
    super(describeDenial(packageName, kind, permission, hint));
    this.name = 'PermissionError';
    this.package = packageName;
    this.kind = kind;
    this.permission = permission;
  }
}

function describeDenial(pkg: string, kind: PermissionKind, permission: string, hint?: string): string {
  const where = `policy resources[${JSON.stringify(pkg)}].${POLICY_FIELD[kind]}`;
  const fix = hint ?? defaultFix(kind, permission);
  const what =
    kind === 'exports'
      ? `may not modify the exports of package ${JSON.stringify(permission)}`
      : kind === 'native'
        ? `may not load native addon ${JSON.stringify(permission)}`
        : kind === 'file'
          ? `may not load ${JSON.stringify(permission)}, which is outside its own package directory`
          : `may not use ${kind} ${JSON.stringify(permission)}`;
  return `sandbox-bundle: package ${JSON.stringify(pkg)} ${what} (${where}). ${fix}`;
}

function defaultFix(kind: PermissionKind, permission: string): string {
  switch (kind) {
    case 'native':
      return 'Set "native": true, or run sandbox-bundle policy.';
    case 'exports':
      return `Grant ${JSON.stringify(permission)}: "write" only if this package must patch it.`;
    case 'file':
      return 'Require the other package by its name and grant it in "packages".';
    default:
      return `Add ${JSON.stringify(permission)}: true, or run sandbox-bundle policy.`;
  }
}
