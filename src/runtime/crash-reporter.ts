// Prints uncaught errors the way a person needs them: after lockdown, Node's own printer shows errors as `{}`.

import type { HostPowers } from './host.js';

/**
 * ses's moderate override taming turns Error.prototype.constructor into an accessor, and Node's
 * util.inspect then prints every error as `{}` (measured on Node 20). When nobody else handles
 * an uncaught exception or rejection, print its stack ourselves and exit 1, as Node would.
 */
export function installCrashReporter(host: HostPowers): void {
  const proc = host.realGlobal.process;
  const util = host.loadBuiltin('util');
  proc.on('uncaughtException', function reportCrash(error: unknown, origin: string) {
    if (proc.listenerCount('uncaughtException') > 1) return; // the app has its own handler: its call
    let text: string;
    if (error instanceof Error || (typeof error === 'object' && error !== null && 'stack' in error)) {
      const { stack, message, ...fields } = error as Error & Record<string, unknown>;
      text = String(stack || `${(error as Error).name}: ${message}`);
      if (Object.keys(fields).length > 0) text += ` ${util.inspect(fields)}`;
    } else {
      text = `${origin === 'unhandledRejection' ? 'Unhandled promise rejection: ' : 'Uncaught '}${util.inspect(error)}`;
    }
    proc.stderr.write(`${text}\n\nNode.js ${proc.version}\n`);
    proc.exit(1);
  });
}
