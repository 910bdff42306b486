// DESIGN section 4: a package's fs facade accepts only file descriptors that package opened itself.

const OPENERS = new Set(['open', 'openSync']);
const CLOSERS = new Set(['close', 'closeSync']);
const STREAM_MAKERS = new Set(['createReadStream', 'createWriteStream']);

/**
 * Wraps fs members for one package. Numeric first arguments (fds: fstat, read, readFileSync(fd)...)
 * must be fds this package got from `open`/`openSync`; stream options `{fd}` likewise.
 */
export function createFdGuard(deny: (fd: number) => void) {
  // stdout and stderr are everyone's to write (loggers such as pino write to fd 1 directly);
  // stdin and every other fd stay with whoever opened them.
  const owned = new Set<number>([1, 2]);
  const check = (fd: unknown) => {
    if (typeof fd === 'number' && !owned.has(fd)) deny(fd);
  };
  return function wrapFsMember(name: string, fn: (...args: any[]) => any): (...args: any[]) => any {
    if (name === 'openSync') {
      return function (this: unknown, ...args: any[]) {
        const fd = Reflect.apply(fn, this, args);
        owned.add(fd);
        return fd;
      };
    }
    if (OPENERS.has(name)) {
      return function (this: unknown, ...args: any[]) {
        const callback = args[args.length - 1];
        if (typeof callback === 'function') {
          args[args.length - 1] = (err: unknown, fd: number) => {
            if (!err) owned.add(fd);
            callback(err, fd);
          };
        }
        return Reflect.apply(fn, this, args);
      };
    }
    if (STREAM_MAKERS.has(name)) {
      return function (this: unknown, ...args: any[]) {
        if (args[1] && typeof args[1] === 'object') check(args[1].fd);
        return Reflect.apply(fn, this, args);
      };
    }
    return function (this: unknown, ...args: any[]) {
      check(args[0]);
      if (CLOSERS.has(name) && args[0] > 2) owned.delete(args[0]);
      return Reflect.apply(fn, this, args);
    };
  };
}
