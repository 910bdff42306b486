// The read-only views of src/runtime/exports-view.ts on their own: what the membrane remembers per
// object (its view, whether it needs one, the prototype a function's chain was sealed from) must never
// hide a change the owner makes later, and the fast paths must keep every guarantee of the slow ones.

import { describe, it, expect } from 'vitest';
import { createReadOnlyMembrane, createReadOnlyView, sealPrototypeChain, sealStatics, undefinedMember } from '../../src/runtime/exports-view.js';

class Denied extends Error {
  constructor(readonly path: string) {
    super(`denied: ${path}`);
  }
}

/** An enforcing membrane that records each refused write's path. */
function membrane(isHostPrototype: (proto: object) => boolean = () => false) {
  const refused: string[] = [];
  const view = createReadOnlyMembrane((path) => {
    refused.push(path);
    throw new Denied(path);
  }, isHostPrototype);
  return { view, refused };
}

/** A warn-mode membrane: records each write, then lets it happen. */
function warningMembrane(label: string, log: string[]) {
  return createReadOnlyMembrane((path) => void log.push(`${label}:${path}`), () => false);
}

function refusal(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof Denied) return error.path;
    throw error;
  }
  return undefined;
}

describe('read-only membrane: changes the owner makes after a first read', () => {
  it('a member that turns from a primitive into an object is viewed from then on', () => {
    const real: any = { config: 0 };
    const { view } = membrane();
    const lib = view(real);
    expect(lib.config).toBe(0);
    real.config = { rounds: 3 };
    expect(refusal(() => { lib.config.rounds = 0; })).toBe('config.rounds');
    expect(real.config.rounds).toBe(3);
    expect(lib.config).toBe(lib.config);
  });

  it('a member first read as a primitive, then replaced by a class, is viewed and its prototype sealed', () => {
    const real: any = { Hasher: null };
    const { view } = membrane();
    const lib = view(real);
    expect(lib.Hasher).toBeNull();
    class Hasher {
      digest() {
        return 'real';
      }
    }
    real.Hasher = Hasher;
    const View = lib.Hasher;
    expect(View).not.toBe(Hasher);
    expect(refusal(() => { View.extra = 1; })).toBe('Hasher.extra');
    expect(refusal(() => { View.prototype.digest = () => 'evil'; })).toBe('Hasher.prototype.digest');
    expect(refusal(() => { Object.getPrototypeOf(new View()).digest = () => 'evil'; })).toBe('Hasher.prototype.digest');
    expect(new Hasher().digest()).toBe('real');
  });

  it('a member replaced by another object gets a view of the new object; the old view stays read-only', () => {
    const first = { n: 1 };
    const second = { n: 2 };
    const real: any = { current: first };
    const { view } = membrane();
    const lib = view(real);
    const before = lib.current;
    real.current = second;
    expect(lib.current.n).toBe(2);
    expect(lib.current).not.toBe(before);
    expect(refusal(() => { lib.current.n = 0; })).toBe('current.n');
    expect(refusal(() => { before.n = 0; })).toBe('current.n');
    real.current = first;
    expect(lib.current).toBe(before);
  });

  it('a function whose prototype the owner replaces after a first read gets the new prototype sealed', () => {
    function Legacy() {}
    Legacy.prototype.run = () => 'v1';
    const real = { Legacy };
    const { view } = membrane();
    const lib = view(real) as any;
    expect(typeof lib.Legacy).toBe('function');
    // as util.inherits-style code does: a new prototype object, after the export was first read
    Legacy.prototype = { run: () => 'v2' } as any;
    const View = lib.Legacy;
    expect(refusal(() => { Object.getPrototypeOf(new View()).run = () => 'evil'; })).toBe('Legacy.prototype.run');
    expect(new (Legacy as any)().run()).toBe('v2');
  });

  it('a function handed out as it is (frozen) has its prototype chain sealed, also when replaced later', () => {
    const real: any = { make: Object.freeze(function make() {}) };
    real.make.prototype.hello = () => 'hi';
    const { view } = membrane();
    const lib = view(real);
    expect(lib.make).toBe(real.make);
    expect(refusal(() => { lib.make.prototype.hello = () => 'evil'; })).toBe('make.prototype.hello');
    const next = Object.freeze(function next() {});
    next.prototype.hello = () => 'hi';
    real.make = next;
    expect(refusal(() => { lib.make.prototype.hello = () => 'evil'; })).toBe('make.prototype.hello');
  });

  it('a member the owner pins (non-writable, non-configurable) after a first read is handed out as it is', () => {
    const inner = { n: 1 };
    const real: any = { inner };
    const { view } = membrane();
    const lib = view(real);
    expect(lib.inner).not.toBe(inner);
    Object.defineProperty(real, 'inner', { writable: false, configurable: false });
    // a view here would break the Proxy invariant and throw a TypeError
    expect(lib.inner).toBe(inner);
    expect(Object.getOwnPropertyDescriptor(lib, 'inner')!.value).toBe(inner);
  });

  it('an object the owner freezes after it was viewed stays readable and read-only through its view', () => {
    const real: any = { defaults: { rounds: 3, list: [1] } };
    const { view } = membrane();
    const lib = view(real);
    const defaults = lib.defaults;
    Object.freeze(real.defaults);
    expect(defaults.rounds).toBe(3);
    expect(lib.defaults).toBe(defaults);
    // frozen members are pinned: a Proxy must hand out the real value (as it always did)
    expect(defaults.list).toBe(real.defaults.list);
    expect(refusal(() => { defaults.rounds = 0; })).toBe('defaults.rounds');
    expect(real.defaults.rounds).toBe(3);
  });

  it('an accessor is read on every access, through the real object', () => {
    let calls = 0;
    const real = {
      secret: 41,
      get answer() {
        calls++;
        return this === real ? { value: this.secret + 1 } : undefined;
      },
    };
    const { view } = membrane();
    const lib = view(real) as any;
    expect(lib.answer.value).toBe(42);
    real.secret = 1;
    expect(lib.answer.value).toBe(2);
    expect(calls).toBe(2);
    expect(refusal(() => { lib.answer.value = 0; })).toBe('answer.value');
  });
});

describe('read-only membrane: what it hands out', () => {
  it('views are stable per object, whichever path reaches it', () => {
    const shared = { n: 1 };
    const real: any = { a: shared, b: { c: shared } };
    real.self = real;
    const { view } = membrane();
    const lib = view(real);
    expect(lib.a).toBe(lib.b.c);
    expect(lib.self).toBe(lib);
    expect(view(real)).toBe(lib);
    expect(refusal(() => { lib.b.c.n = 0; })).toBe('a.n'); // named by the path that reached it first
  });

  it('frozen values and built-ins with internal slots are handed out as they are, every time', () => {
    const frozen = Object.freeze({ x: 1 });
    const map = new Map([['k', 'v']]);
    const date = new Date(0);
    const real = { frozen, map, date, bytes: new Uint8Array(2) };
    const { view } = membrane();
    const lib = view(real) as any;
    for (let i = 0; i < 3; i++) {
      expect(lib.frozen).toBe(frozen);
      expect(lib.map).toBe(map);
      expect(lib.date).toBe(date);
      expect(lib.bytes).toBe(real.bytes);
    }
    expect(lib.map.get('k')).toBe('v');
  });

  it('methods run on the real object; other receivers are left alone', () => {
    const real = {
      count: 0,
      bump() {
        return ++this.count;
      },
      who() {
        return this;
      },
    };
    const { view } = membrane();
    const lib = view(real) as any;
    expect(lib.bump()).toBe(1);
    expect(real.count).toBe(1);
    expect(lib.who()).toBe(real);
    const other = { count: 10 };
    expect(lib.bump.call(other)).toBe(11);
    expect(lib.who.call(undefined)).toBeUndefined();
  });

  it('a child object (Object.create(view)) writes its own properties; reads see the real members', () => {
    const real = {
      base: 1,
      get who() {
        return this === real ? 'real' : 'other';
      },
    };
    const { view, refused } = membrane();
    const lib = view(real) as any;
    const child = Object.create(lib);
    child.base = 2;
    expect(child.base).toBe(2);
    expect(real.base).toBe(1);
    expect(child.who).toBe('other'); // a getter sees the receiver that read it
    expect(lib.who).toBe('real'); // read through the view itself: the real object
    expect(refused).toEqual([]);
  });

  it('every kind of write through a view is refused with its member path', () => {
    const real: any = { nested: { list: [1, 2] } };
    const { view } = membrane();
    const lib = view(real, 'lib');
    expect(refusal(() => { lib.nested.list[0] = 9; })).toBe('lib.nested.list.0');
    expect(refusal(() => { delete lib.nested.list; })).toBe('lib.nested.list');
    expect(refusal(() => Object.defineProperty(lib.nested, 'x', { value: 1 }))).toBe('lib.nested.x');
    expect(refusal(() => Object.setPrototypeOf(lib.nested, null))).toBe('lib.nested.__proto__');
    expect(refusal(() => Object.preventExtensions(lib.nested))).toBe('lib.nested.[[Extensible]]');
    expect(refusal(() => { Object.getOwnPropertyDescriptor(lib, 'nested')!.value.y = 1; })).toBe('lib.nested.y');
    expect(real.nested.list).toEqual([1, 2]);
    expect(Object.isExtensible(real.nested)).toBe(true);
  });

  it('a host prototype is never sealed by a membrane (the runtime seals Node\'s own); the walk stops there', () => {
    class Host {
      hello() {
        return 'hi';
      }
    }
    class Child extends Host {}
    const { view } = membrane((proto) => proto === Host.prototype);
    const lib = view({ Child }) as any;
    // a class's prototype is pinned, so it is the real one, sealed: no new members, methods locked
    expect(lib.Child.prototype).toBe(Child.prototype);
    expect(() => { lib.Child.prototype.extra = 1; }).toThrow(TypeError);
    expect(Object.isExtensible(Host.prototype)).toBe(true);
    (Host.prototype as any).hello = () => 'patched by node';
    expect(new Child().hello()).toBe('patched by node');
  });

  it('instanceof and new work through views, also for subclasses', () => {
    class Base {
      value = 1;
    }
    const { view } = membrane();
    const View = (view({ Base }) as any).Base;
    const made = new View();
    expect(made instanceof Base && made instanceof View).toBe(true);
    expect(Object.getPrototypeOf(made)).toBe(Base.prototype);
    class Sub extends View {}
    expect(new Sub() instanceof View).toBe(true);
  });

  it('a view of another membrane\'s view reports a write to both (warn mode), as nested views always did', () => {
    const log: string[] = [];
    const inner = warningMembrane('inner', log);
    const outer = warningMembrane('outer', log);
    const real = { opts: { level: 1 } };
    const reexport = { lib: inner(real, 'lib') };
    const seen = outer(reexport, 're') as any;
    seen.lib.opts.level = 2;
    expect(log).toEqual(['outer:re.lib.opts.level', 'inner:lib.opts.level']);
    expect(real.opts.level).toBe(2);
    expect(seen.lib.opts).toBe(seen.lib.opts);
  });
});

describe('read-only membrane: views of another membrane\'s views (re-exports)', () => {
  class Hasher {
    digest() {
      return 'real';
    }
  }

  /** B's view of A's exports, re-exported by B and seen through C's membrane (and D's, when deep). */
  function stacked(real: object, depth = 2, onWrite?: (label: string, path: string) => void) {
    let value: any = real;
    for (let i = 0; i < depth; i++) {
      const label = `m${i}`;
      const wrap = createReadOnlyMembrane((path) => {
        if (onWrite) return onWrite(label, path);
        throw new Denied(`${label}:${path}`);
      }, () => false);
      value = wrap({ lib: value }, `r${i}`).lib;
    }
    return value;
  }

  it('reads, identity, methods, new and instanceof work as through one view', () => {
    const real = {
      count: 0,
      nested: { list: [1, 2] },
      Hasher,
      bump() {
        return ++this.count;
      },
    };
    for (const depth of [2, 3]) {
      real.count = 0;
      const lib = stacked(real, depth);
      expect(lib.nested).toBe(lib.nested);
      expect(lib.nested.list[1]).toBe(2);
      expect(lib.bump()).toBe(1);
      expect(real.count).toBe(1);
      const made = new lib.Hasher();
      expect(made.digest()).toBe('real');
      expect(made instanceof Hasher && made instanceof lib.Hasher).toBe(true);
      expect(Object.getPrototypeOf(made)).toBe(Hasher.prototype);
      expect(Object.keys(lib)).toEqual(['count', 'nested', 'Hasher', 'bump']);
      expect('nested' in lib).toBe(true);
      expect(Object.getPrototypeOf(lib)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(lib, 'nested')!.value).toBe(lib.nested);
    }
  });

  it('every write is refused by the outermost view first', () => {
    const real: any = { nested: { n: 1 }, Hasher };
    const lib = stacked(real);
    expect(refusal(() => { lib.nested.n = 0; })).toBe('m1:r1.lib.nested.n');
    expect(refusal(() => { delete lib.nested; })).toBe('m1:r1.lib.nested');
    expect(refusal(() => Object.defineProperty(lib, 'x', { value: 1 }))).toBe('m1:r1.lib.x');
    expect(refusal(() => Object.setPrototypeOf(lib.nested, null))).toBe('m1:r1.lib.nested.__proto__');
    expect(refusal(() => { lib.Hasher.prototype.digest = () => 'evil'; })).toBe('m0:r0.lib.Hasher.prototype.digest');
    expect(real.nested.n).toBe(1);
    expect(new Hasher().digest()).toBe('real');
  });

  it('in warn mode a write is reported by each membrane, outermost first, then made', () => {
    const log: string[] = [];
    const real: any = { nested: { n: 1 } };
    const lib = stacked(real, 3, (label, path) => void log.push(`${label}:${path}`));
    lib.nested.n = 2;
    delete lib.nested.n;
    expect(log).toEqual(['m2:r2.lib.nested.n', 'm1:r1.lib.nested.n', 'm0:r0.lib.nested.n', 'm2:r2.lib.nested.n', 'm1:r1.lib.nested.n', 'm0:r0.lib.nested.n']);
    expect('n' in real.nested).toBe(false);
  });

  it('pinned members come out as they are; the rest stays viewed', () => {
    const inner = { n: 1 };
    const real = Object.freeze({ inner, open: { n: 2 } });
    const lib = stacked({ real }).real;
    expect(lib.inner).toBe(inner);
    expect(lib.open).toBe(real.open);
    const mixed: any = { open: { n: 2 } };
    Object.defineProperty(mixed, 'pinned', { value: inner, enumerable: true });
    const seen = stacked(mixed);
    expect(seen.pinned).toBe(inner);
    expect(seen.open).not.toBe(mixed.open);
    expect(refusal(() => { seen.open.n = 0; })).toBe('m1:r1.lib.open.n');
  });

  it('a getter still runs with the real object as this, and a child object writes its own members', () => {
    const real = {
      base: 1,
      get who() {
        return this === real ? 'real' : 'other';
      },
    };
    const lib = stacked(real);
    expect(lib.who).toBe('real');
    const child = Object.create(lib);
    child.base = 5;
    expect(child.who).toBe('other');
    expect(real.base).toBe(1);
  });
});

describe('shallow read-only view (host classes)', () => {
  it('new through the view constructs the real class, with the real class as new.target', () => {
    let seenTarget: unknown;
    class Host {
      constructor(readonly n: number) {
        seenTarget = new.target;
      }
    }
    const refused: PropertyKey[] = [];
    const View = createReadOnlyView(Host, (key) => void refused.push(key)) as typeof Host;
    const made = new View(3);
    expect(made.n).toBe(3);
    expect(seenTarget).toBe(Host);
    expect(made instanceof Host && made instanceof View).toBe(true);
    class Sub extends View {}
    const sub = new Sub(4);
    expect(seenTarget).toBe(Sub);
    expect(sub instanceof Host).toBe(true);
    expect(Reflect.construct(View, [5], Sub)).toBeInstanceOf(Sub);
    (View as any).extra = 1;
    expect(refused).toEqual(['extra']);
  });
});

describe('sealPrototypeChain', () => {
  class Emitter {
    emit() {
      return 'real';
    }
  }
  (Emitter.prototype as any)._events = undefined;
  const refused: PropertyKey[] = [];
  sealPrototypeChain(Emitter as any, (key) => {
    refused.push(key);
    throw new TypeError(`refused ${String(key)}`);
  }, () => false);

  it('refuses writes to the prototype and lets instances set their own members', () => {
    expect(() => {
      (Emitter.prototype as any).emit = () => 'evil';
    }).toThrow(/refused emit/);
    const instance = new Emitter() as any;
    instance._events = { a: 1 };
    expect(Object.getOwnPropertyDescriptor(instance, '_events')?.value).toEqual({ a: 1 });
    expect(new Emitter().emit()).toBe('real');
    expect(refused).toEqual(['emit']);
  });

  it("gives an instance's first store of a sealed member an ordinary own data property, whatever the key", () => {
    class Base {
      run() {
        return 'base';
      }
    }
    const symbol = Symbol('member');
    Object.assign(Base.prototype, { statusCode: 200, [symbol]: 1 });
    Object.defineProperty(Base.prototype, '__proto__', { value: 'own', writable: true, enumerable: false, configurable: true });
    sealPrototypeChain(Base as any, (key) => {
      throw new TypeError(`refused ${String(key)}`);
    }, () => false);
    const instance = new Base() as any;
    for (const key of ['statusCode', 'run', 'constructor', '__proto__', symbol]) {
      instance[key] = 7;
      expect(Object.getOwnPropertyDescriptor(instance, key)).toEqual({ value: 7, writable: true, enumerable: true, configurable: true });
    }
    expect(Object.getPrototypeOf(instance)).toBe(Base.prototype);
    expect((new Base() as any).statusCode).toBe(200);
    expect(() => {
      Object.preventExtensions(new Base()).run = () => 'evil';
    }).toThrow(TypeError);
    expect(() => {
      (Base.prototype as any).statusCode = 500;
    }).toThrow(/refused statusCode/);
  });

  it('with droppable: undefinedMember, deletes the members that hold undefined, unless that would uncover an inherited value', () => {
    class Base {}
    Object.assign(Base.prototype, { shadowed: 'base value' });
    class Message extends Base {}
    Object.assign(Message.prototype, { statusMessage: undefined, shadowed: undefined, statusCode: 200 });
    sealPrototypeChain(Message as any, (key) => {
      throw new TypeError(`refused ${String(key)}`);
    }, (proto) => proto === Base.prototype, { droppable: undefinedMember });
    expect(Reflect.ownKeys(Message.prototype).sort()).toEqual(['constructor', 'shadowed', 'statusCode']);
    const message = new Message() as any;
    expect([message.statusMessage, message.shadowed, message.statusCode]).toEqual([undefined, undefined, 200]);
    // An instance's store is an ordinary new property; the prototype takes no new member back.
    message.statusMessage = 'OK';
    expect(Object.getOwnPropertyDescriptor(message, 'statusMessage')).toEqual({ value: 'OK', writable: true, enumerable: true, configurable: true });
    expect(() => {
      (Message.prototype as any).statusMessage = 'planted';
    }).toThrow(TypeError);
    expect((new Message() as any).statusMessage).toBeUndefined();
    expect(() => {
      (Message.prototype as any).shadowed = 'planted';
    }).toThrow(/refused shadowed/);
  });

  it("sealStatics locks a class's own members: no replacing, no new prototype, no new statics; subclasses still set their own", () => {
    function Emitter(this: { ready?: boolean }) {
      (Emitter as any).init.call(this);
    }
    Object.assign(Emitter, {
      init(this: { ready?: boolean }) {
        this.ready = true;
      },
      usingDomains: false,
    });
    const refused: PropertyKey[] = [];
    let letThrough = false;
    const name = Emitter.name;
    sealStatics(Emitter as any, (key) => {
      if (letThrough) return true;
      refused.push(key);
      throw new TypeError(`refused ${String(key)}`);
    });
    const E = Emitter as any;
    expect(() => (E.init = () => {})).toThrow(/refused init/);
    expect(() => (E.prototype = {})).toThrow(TypeError);
    expect(() => (E.extra = 1)).toThrow(TypeError);
    expect(() => Object.defineProperty(E, 'name', { value: 'Forged' })).toThrow(TypeError);
    expect(new E().ready).toBe(true);
    // A subclass's own static shadows the sealed one; the class keeps its own.
    const Sub = Object.setPrototypeOf(function Sub() {}, E);
    Sub.init = () => 'sub';
    expect([Sub.init(), typeof E.init, E.name]).toEqual(['sub', 'function', name]);
    // What the owner-write callback lets through (Node's domain module patching EventEmitter) is kept.
    letThrough = true;
    E.usingDomains = true;
    expect(E.usingDomains).toBe(true);
    expect(refused).toEqual(['init']);
  });

  it("keeps the writes of an object that copied the sealed accessors as its own (express's merge-descriptors), for it alone", () => {
    const app: any = function app() {};
    for (const key of ['emit', '_events']) Object.defineProperty(app, key, Object.getOwnPropertyDescriptor(Emitter.prototype, key)!);
    app._events = { mounted: true };
    expect(app._events).toEqual({ mounted: true });
    expect(app.emit()).toBe('real');
    expect((new Emitter() as any)._events).toBeUndefined();
    expect(Emitter.prototype.emit.call(app)).toBe('real');
  });
});
