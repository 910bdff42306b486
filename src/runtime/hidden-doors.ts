// DESIGN section 3: members that reach full authority from plain Node. A grant of their parent never opens them.

export const HIDDEN_DOORS: ReadonlySet<string> = new Set([
  // process: builtins without require, native bindings, the main module, reports, signals, exit.
  'process.getBuiltinModule',
  'process.binding',
  'process.dlopen',
  'process.mainModule',
  'process.report',
  'process.kill',
  'process.exit',
  'process.reallyExit',
  'process.abort',
  'process.setUncaughtExceptionCaptureCallback',
  'process.permission',
  'process.channel',
  'process.send',
  'process.disconnect',
  'process.loadEnvFile',
  'process.execve',
  'process.setSourceMapsEnabled',
  // worker_threads: a Worker runs code (eval: true, or any file) outside every package scope.
  'worker_threads.Worker',
]);

/** Builtins that hand out their parent's authority wholesale; a package gets them only by naming them. */
export const POWERFUL_BUILTINS: ReadonlySet<string> = new Set(['module', 'vm', 'inspector', 'v8', 'wasi', 'worker_threads', 'repl', 'trace_events']);

/**
 * Members of the powerful builtins above that reach no authority, so a policy may hold them like any
 * ordinary member: generation grants them when a package uses them (pino, undici, koa, yargs read them
 * at load) and a grant of them is not dangerous. Read-only probes of the current thread and of a
 * snapshot build, a marker that only makes one object uncloneable, the list of builtin names, and
 * `module.createRequire`, which the runtime replaces inside the sandbox with the package's own scoped
 * require (it grants nothing beyond the package's policy). Every other member of these builtins
 * (`worker_threads.Worker`, `parentPort`, `module.Module`, `_load`, `v8.startupSnapshot.addDeserializeCallback`)
 * stays a door. Nested paths are spelled in full (`v8.startupSnapshot.isBuildingSnapshot`).
 */
export const HARMLESS_MEMBERS: ReadonlySet<string> = new Set([
  'worker_threads.isMainThread',
  'worker_threads.threadId',
  'worker_threads.markAsUncloneable',
  'v8.startupSnapshot.isBuildingSnapshot',
  'module.createRequire',
  'module.builtinModules',
  'module.isBuiltin',
]);
