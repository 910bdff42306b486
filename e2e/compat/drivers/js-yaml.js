// js-yaml: load (anchors, multi-docs, custom type) and dump.
const yaml = require('js-yaml');

const doc = yaml.load(`
base: &base
  name: app
  ports: [80, 443]
prod:
  <<: *base
  replicas: 3
  date: 2024-01-02
text: |
  line one
  line two
`);
console.log(JSON.stringify(doc));
console.log(yaml.dump({ list: [1, 'two', { three: 3 }], nested: { a: null, b: true } }, { sortKeys: true }));
const all = yaml.loadAll('---\na: 1\n---\nb: 2\n');
console.log(JSON.stringify(all));
const Point = new yaml.Type('!point', { kind: 'sequence', construct: ([x, y]) => ({ x, y }) });
console.log(JSON.stringify(yaml.load('p: !point [1, 2]', { schema: yaml.DEFAULT_SCHEMA.extend([Point]) })));
try {
  yaml.load('a: [1, 2');
} catch (err) {
  console.log(err.name, err.reason);
}
