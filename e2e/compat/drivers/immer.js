// immer: produce with drafts, patches and inverse patches, auto-frozen results, Map/Set support.
'use strict'; // bundles run app code strict too: a write to a frozen result throws in both runs
const { produce, produceWithPatches, enablePatches, enableMapSet, applyPatches, isDraft } = require('immer');

enablePatches();
enableMapSet();
const base = { todos: [{ id: 1, done: false }, { id: 2, done: false }], meta: { count: 2 } };
const next = produce(base, (draft) => {
  draft.todos[0].done = true;
  draft.todos.push({ id: 3, done: false });
  draft.meta.count = draft.todos.length;
});
console.log(JSON.stringify(next), next.todos[1] === base.todos[1], Object.isFrozen(next.todos[0]));
const [, patches, inverse] = produceWithPatches(base, (d) => {
  d.meta.count = 10;
  delete d.todos[1];
});
console.log(JSON.stringify(patches), JSON.stringify(inverse));
console.log(JSON.stringify(applyPatches(base, patches).meta));
const m = produce(new Map([['a', 1]]), (d) => {
  d.set('b', 2);
  console.log('isDraft', isDraft(d));
});
console.log(JSON.stringify([...m]));
try {
  next.meta.count = 0;
} catch (err) {
  console.log('frozen:', err instanceof TypeError);
}
