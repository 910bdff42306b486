// core-js: polyfills that patch intrinsics (Object.groupBy, Promise.withResolvers, Set methods, Array.fromAsync on Node 20).
require('core-js/actual/object/group-by');
require('core-js/actual/promise/with-resolvers');
require('core-js/actual/set/union');
require('core-js/actual/set/intersection');
require('core-js/actual/array/from-async');
const { run } = require('../lib/harness.js');

run(async () => {
  console.log(JSON.stringify(Object.groupBy([1, 2, 3, 4, 5], (n) => (n % 2 ? 'odd' : 'even'))));
  const { promise, resolve } = Promise.withResolvers();
  setTimeout(resolve, 1, 'resolved');
  console.log(await promise);
  console.log([...new Set([1, 2, 3]).union(new Set([3, 4]))].join(','), [...new Set([1, 2, 3]).intersection(new Set([2, 3, 9]))].join(','));
  async function* gen() {
    yield 1;
    yield 2;
  }
  console.log(JSON.stringify(await Array.fromAsync(gen(), (x) => x * 10)));
});
