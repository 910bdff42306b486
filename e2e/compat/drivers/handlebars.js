// handlebars: compiled templates (generated code), helpers, partials, blocks and escaping.
const Handlebars = require('handlebars');

Handlebars.registerHelper('upper', (s) => String(s).toUpperCase());
Handlebars.registerHelper('plural', (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`);
Handlebars.registerPartial('item', '<li>{{upper name}} ({{plural qty "unit"}})</li>');
const template = Handlebars.compile('<h1>{{title}}</h1>\n<ul>{{#each items}}{{> item}}{{/each}}</ul>\n{{#if note}}<p>{{note}}</p>{{else}}<p>none</p>{{/if}}');
console.log(template({ title: 'Order <1>', items: [{ name: 'pen', qty: 1 }, { name: 'ink', qty: 3 }], note: '<b>fragile</b>' }));
const pre = Handlebars.precompile('{{a}}-{{b}}');
console.log(typeof pre, pre.length > 0);
console.log(Handlebars.compile('{{#with person}}{{first}} {{last}}{{/with}}')({ person: { first: 'Ada', last: 'Lovelace' } }));
