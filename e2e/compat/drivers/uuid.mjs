// uuid (ESM-only): deterministic v5/v3 names, parse/stringify, validation, and v4/v7 with fixed bytes.
import { v3, v4, v5, v7, validate, version, parse, stringify, NIL } from 'uuid';

const ns = '1b671a64-40d5-491e-99b0-da01ff1f3341';
console.log(v5('hello', ns), v5('hello', v5.URL), v3('hello', v3.DNS));
console.log(validate(ns), validate('nope'), version(ns), NIL);
console.log(stringify(parse(ns)) === ns, Array.from(parse(ns).slice(0, 4)).join(','));
const random = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
console.log(v4({ random }), v7({ random, msecs: 1700000000000, seq: 0 }));
