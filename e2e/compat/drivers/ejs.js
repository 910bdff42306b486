// ejs: templates compiled to functions, includes via a custom resolver, escaping and locals.
const ejs = require('ejs');

console.log(ejs.render('<h1><%= title %></h1><% for (const u of users) { %><p><%= u %></p><% } %><%- raw %>', { title: 'A & B', users: ['x', 'y'], raw: '<hr>' }));
const fn = ejs.compile('<%= it.a + it.b %>|<%_ if (it.a > 1) { _%>big<%_ } _%>', { strict: true, localsName: 'it', _with: false });
console.log(fn({ a: 2, b: 3 }));
const includer = ejs.compile('<%- include("part", { n: 7 }) %>', {
  includer: (original) => ({ template: 'part n=<%= n %>' }),
  filename: '/virtual/main.ejs',
});
console.log(includer({}));
try {
  ejs.render('<%= missing %>');
} catch (err) {
  console.log(err.name, err.message.split('\n').pop());
}
