// lodash: collection helpers, deep clone/merge, and _.template with `variable` (generated code without `with`).
const _ = require('lodash');

const users = [
  { name: 'ada', age: 36, team: 'a' },
  { name: 'bob', age: 25, team: 'b' },
  { name: 'cy', age: 41, team: 'a' },
];
console.log(JSON.stringify(_.groupBy(users, 'team')));
console.log(JSON.stringify(_.sortBy(users, ['age']).map((u) => u.name)), _.sumBy(users, 'age'));
console.log(JSON.stringify(_.merge({ a: { b: 1 } }, { a: { c: 2 } })), JSON.stringify(_.cloneDeep({ x: [1, { y: 2 }] })));
console.log(_.camelCase('Foo Bar-baz'), _.kebabCase('fooBarBaz'), _.chunk([1, 2, 3, 4, 5], 2).length);
console.log(_.template('hello <%= data.user %>! <% _.forEach(data.list, function(x) { %><i><%- x %></i><% }); %>', { variable: 'data' })({ user: 'ada', list: ['<a>', 'b'] }));
console.log(JSON.stringify(_.get({ a: [{ b: { c: 3 } }] }, 'a[0].b.c')), _.isEqual({ a: [1] }, { a: [1] }), _.uniqBy([2.1, 1.2, 2.3], Math.floor).join(','));
