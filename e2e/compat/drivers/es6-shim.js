// es6-shim: the ES2015 shim, which inspects and may replace built-ins; then uses the shimmed API.
require('es6-shim');

console.log(Array.from(new Set([3, 1, 3])).join(','), Object.assign({}, { a: 1 }, { b: 2 }).b, 'abc'.repeat(2), Number.isInteger(5.0));
console.log([1, 2, 3].find((x) => x > 1), 'xyz'.startsWith('x'), Math.sign(-3), JSON.stringify(Array.of(7, 8)));
const m = new Map([['k', 'v']]);
console.log(m.get('k'), m.size, typeof Symbol.iterator, String.raw`a\nb`);
