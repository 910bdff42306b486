// ramda: curried, point-free pipelines and lenses.
const R = require('ramda');

const data = [
  { name: 'ada', score: 9, tags: ['x'] },
  { name: 'bob', score: 4, tags: [] },
  { name: 'cy', score: 7, tags: ['y', 'z'] },
];
const top = R.pipe(R.filter(R.propSatisfies(R.gt(R.__, 5), 'score')), R.sortBy(R.prop('score')), R.map(R.prop('name')));
console.log(JSON.stringify(top(data)));
const lens = R.lensPath(['a', 'b']);
console.log(JSON.stringify(R.over(lens, R.inc, { a: { b: 1 } })), R.view(lens, { a: { b: 5 } }));
console.log(JSON.stringify(R.groupBy((d) => (d.score > 5 ? 'hi' : 'lo'), data)));
console.log(R.compose(R.toUpper, R.join('-'), R.chain(R.prop('tags')))(data), R.sum(R.pluck('score', data)));
console.log(JSON.stringify(R.evolve({ score: R.multiply(10) }, data[0])), R.equals([1, { a: 2 }], [1, { a: 2 }]));
