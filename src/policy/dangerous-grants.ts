// Which grants deserve a second look in a review: the ones that reach files, processes, the network, shared state or native code.
import { normalizeBuiltinName } from './resolve-runtime-policy.js';
import { HARMLESS_MEMBERS } from '../runtime/hidden-doors.js';

/** The fields of a package's policy entry a single grant can sit in. */
export type GrantField = 'globals' | 'builtin' | 'packages' | 'native';

const NETWORK_BUILTINS = new Set(['net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns']);
const ESCAPE_BUILTINS = new Set(['module', 'vm', 'inspector', 'v8', 'wasi', 'worker_threads', 'repl', 'trace_events']);
const NETWORK_GLOBALS = new Set(['fetch', 'WebSocket', 'XMLHttpRequest', 'EventSource']);
/** fs functions that create, change or delete files (open can, with a write flag). */
const FS_WRITES = new Set([
  'appendFile', 'chmod', 'chown', 'copyFile', 'cp', 'createWriteStream', 'fchmod', 'fchown', 'fdatasync', 'fsync',
  'ftruncate', 'futimes', 'lchmod', 'lchown', 'link', 'lutimes', 'mkdir', 'mkdtemp', 'open', 'rename', 'rm', 'rmdir',
  'symlink', 'truncate', 'unlink', 'utimes', 'write', 'writeFile', 'writev',
]);
const PROCESS_DOORS = new Set([
  'binding', '_linkedBinding', 'dlopen', 'getBuiltinModule', 'mainModule', 'report', 'kill', 'exit', 'reallyExit', 'abort',
  'setUncaughtExceptionCaptureCallback', 'permission', 'channel', 'send', 'disconnect', 'loadEnvFile', 'execve',
]);

/**
 * Why a grant is dangerous, in a few words, or undefined for an ordinary one. Used to mark lines in
 * `policy --check` diffs and `explain` output; it never changes what is granted.
 */
export function describeDanger(field: GrantField, key: string, value: unknown = true): string | undefined {
  if (field === 'native') return value === true ? 'native code runs outside the sandbox' : undefined;
  if (field === 'packages') return value === 'write' ? "may change the package's exports for everyone" : undefined;
  if (field === 'globals') return describeGlobal(key, value);
  return describeBuiltin(normalizeBuiltinName(key));
}

function describeGlobal(key: string, value: unknown): string | undefined {
  const [name, member] = key.split('.');
  if (name === 'process' && member !== undefined && PROCESS_DOORS.has(member)) return 'hidden door: full authority over the process';
  if (key === 'process.env' && value === 'write') return 'changes environment variables for every package';
  if (value === 'write') return 'changes a global for every package';
  if (key === 'process') return 'the whole process object';
  if (name === 'Error') return "the host Error: structured stack frames of other packages' code";
  if (NETWORK_GLOBALS.has(name)) return 'network access';
  if (name === 'WebAssembly') return 'compiles and runs WebAssembly';
  return undefined;
}

function describeBuiltin(key: string): string | undefined {
  const [module, ...members] = key.split('.');
  const base = module.split('/')[0];
  if (base === 'child_process') return 'runs other programs';
  if (base === 'cluster') return 'forks processes';
  if (NETWORK_BUILTINS.has(base)) return 'network access';
  // worker_threads.isMainThread, module.createRequire (scoped by the runtime): no authority.
  if (HARMLESS_MEMBERS.has(key)) return undefined;
  if (ESCAPE_BUILTINS.has(base)) return 'reaches outside the sandbox';
  if (base === 'process') return describeGlobal(key, true);
  if (base === 'fs') {
    // `fs`, `fs.promises`, `fs/promises`: every function, writes included.
    const last = members[members.length - 1];
    if (last === undefined || last === 'promises') return 'reads and writes any file';
    const name = last.replace(/Sync$/, '');
    if (FS_WRITES.has(name)) return 'writes files';
  }
  return undefined;
}
