// lodash _.template in its default form: the generated function wraps the template in `with (obj) {...}`.
const template = require('lodash/template');

console.log(template('hello <%= user %>! <% list.forEach(function(x) { %><i><%- x %></i><% }); %>')({ user: 'ada', list: ['<a>', 'b'] }));
console.log(template('${a} + ${b}', { interpolate: /\$\{([\s\S]+?)\}/g })({ a: 1, b: 2 }));
