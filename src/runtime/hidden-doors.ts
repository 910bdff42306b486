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
