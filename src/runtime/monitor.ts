// Warn and record modes: what happens at a would-be denial, and the log of every permission actually used.

import type { AnyObject, HostPowers } from './host.js';
import { PermissionError, POLICY_FIELD, type PermissionKind } from './permission-error.js';

export type SandboxMode = 'enforce' | 'warn' | 'record';

export interface MonitorOptions {
  mode: SandboxMode;
  /** warn: a JSON Lines file for reports (default: stderr). record: the policy file observations merge into. */
  file?: string;
}

export interface Monitor {
  readonly mode: SandboxMode;
  /**
   * A use the policy does not grant: throws in enforce mode; reports (warn) or records (record) and
   * returns otherwise. `ungrantable`: no policy entry could allow it (another package's file
   * descriptor), so record mode reports it as warn mode does instead of writing an invalid key.
   */
  violation(pkg: string, kind: PermissionKind, permission: string, hint?: string, write?: boolean, ungrantable?: boolean): void;
  /** A use the policy grants (recorded in record mode only). */
  use(pkg: string, kind: PermissionKind, permission: string): void;
  /** In record mode, a view of `value` that records `name.member` for each member read. */
  observe<T>(pkg: string, kind: 'builtin' | 'global', name: string, value: T): T;
}

/** Frames of the runtime, the generated gate modules and the bundler's module helpers. */
const MACHINERY_FRAME = /^\s*at (?:(?:Object|Proxy|Function)\.)?(?:callSite|warn|violation|deny|builtin|get|set|packageExports|loadNative|scopedRequire|defineProperty|deleteProperty|__require|__init|__toESM|require_\S+|sandbox-bundle:\S*) /;

/** The first stack frame outside the sandbox machinery: where the package asked. For reports only, never for decisions. */
function callSite(): string {
  const lines = String(new Error().stack ?? '').split('\n').slice(1);
  const outside = lines.find((line) => !MACHINERY_FRAME.test(line));
  return (outside ?? lines[0] ?? '').trim().replace(/^at /, '');
}

export function createMonitor(host: HostPowers, options: MonitorOptions): Monitor {
  const { mode } = options;
  const reported = new Set<string>();
  /** record mode: package -> field -> permission -> value */
  const used = new Map<string, Map<string, Map<string, true | 'write'>>>();

  const note = (pkg: string, kind: PermissionKind, permission: string, write = kind === 'exports') => {
    const field = POLICY_FIELD[kind];
    let fields = used.get(pkg);
    if (!fields) used.set(pkg, (fields = new Map()));
    let entries = fields.get(field);
    if (!entries) fields.set(field, (entries = new Map()));
    // A write to `process.env.X` is recorded as the grant it needs: "process.env": "write". A builtin
    // entry is only true or false (writes to builtin modules cannot be granted): recorded as the use it is.
    if (kind === 'builtin') write = false;
    const key = write && kind !== 'exports' && permission.includes('.') ? permission.slice(0, permission.lastIndexOf('.')) : permission;
    if (entries.get(key) !== 'write') entries.set(key, write ? 'write' : true);
  };

  if (mode === 'record') {
    const proc = host.realGlobal.process;
    proc.on('exit', () => writeRecord(host, options.file ?? 'sandbox-record.json', used));
  }

  const warn = (pkg: string, kind: PermissionKind, permission: string, hint?: string) => {
    const key = `${pkg}\0${kind}\0${permission}`;
    if (reported.has(key)) return;
    reported.add(key);
    const site = callSite();
    // With the hint enforce mode would give: a write needs "write" (globals) or cannot be granted (builtins).
    const message = new PermissionError(pkg, kind, permission, hint).message.replace(/^sandbox-bundle: /, '');
    const fs = host.loadBuiltin('fs');
    // In record mode the file is the policy being recorded: reports go to stderr.
    if (options.file && mode === 'warn') {
      fs.appendFileSync(options.file, `${JSON.stringify({ package: pkg, kind, permission, site })}\n`);
    } else {
      host.realGlobal.process.stderr.write(`sandbox-bundle: warning (allowed in ${mode} mode): ${message} First use: ${site}\n`);
    }
  };

  const observed = new WeakMap<object, Map<string, unknown>>();
  return {
    mode,
    violation(pkg, kind, permission, hint, write, ungrantable) {
      if (mode === 'enforce') throw new PermissionError(pkg, kind, permission, hint);
      if (mode === 'warn' || ungrantable) warn(pkg, kind, permission, hint);
      else note(pkg, kind, permission, write);
    },
    use(pkg, kind, permission) {
      if (mode === 'record') note(pkg, kind, permission);
    },
    observe(pkg, kind, name, value) {
      if (mode !== 'record' || (typeof value !== 'object' && typeof value !== 'function') || value === null) return value;
      const target = value as AnyObject;
      let byPkg = observed.get(target);
      if (!byPkg) observed.set(target, (byPkg = new Map()));
      const cached = byPkg.get(`${kind}:${pkg}:${name}`);
      if (cached) return cached as typeof value;
      const methods = new Map<PropertyKey, unknown>();
      let proxy: AnyObject;
      proxy = new Proxy(target, {
        get(obj, key, receiver) {
          if (typeof key === 'string') note(pkg, kind, `${name}.${key}`);
          const member = Reflect.get(obj, key, receiver === proxy ? obj : receiver);
          const own = Object.getOwnPropertyDescriptor(obj, key);
          // A Proxy must return a frozen member as it is.
          if (typeof member !== 'function' || (own && !own.configurable && !own.writable)) return member;
          // Methods run on the real object, so their internal member reads are not recorded as the package's.
          if (!methods.has(key)) {
            methods.set(key, new Proxy(member, { apply: (fn, self, args) => Reflect.apply(fn, self === proxy ? obj : self, args) }));
          }
          return methods.get(key);
        },
      });
      byPkg.set(`${kind}:${pkg}:${name}`, proxy);
      return proxy as typeof value;
    },
  };
}

/**
 * Writes what was used as a LavaMoat-format policy, merged into the file's previous content, so
 * several runs (a test suite) add up. A name used only through members is recorded by member.
 */
function writeRecord(host: HostPowers, file: string, used: Map<string, Map<string, Map<string, true | 'write'>>>): void {
  const fs = host.loadBuiltin('fs');
  let previous: AnyObject = { resources: {} };
  try {
    previous = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    // first run: start empty
  }
  const resources: AnyObject = previous.resources ?? {};
  for (const [pkg, fields] of used) {
    const entry: AnyObject = (resources[pkg] ??= {});
    for (const [field, permissions] of fields) {
      if (field === 'native') {
        entry.native = true;
        continue;
      }
      const target: AnyObject = (entry[field] ??= {});
      const names = [...permissions.keys()];
      for (const [permission, value] of permissions) {
        // "process" read whole only when no member of it was read.
        if (field !== 'packages' && names.some((other) => other.startsWith(`${permission}.`))) continue;
        if (target[permission] !== 'write') target[permission] = value;
      }
    }
  }
  const sorted = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted((value as AnyObject)[key])]))
      : value;
  fs.writeFileSync(file, `${JSON.stringify({ resources: sorted(resources) }, null, 2)}\n`);
}
