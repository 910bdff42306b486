// csv-parse: synchronous and streaming parsing with headers, casting and quoting.
const { parse } = require('csv-parse');
const { parse: parseSync } = require('csv-parse/sync');
const { run } = require('../lib/harness.js');

const input = 'name,age,city\n"Doe, Jane",34,Paris\nBob,27,"New\nYork"\n';
run(async () => {
  console.log(JSON.stringify(parseSync(input, { columns: true, cast: true })));
  const rows = [];
  const parser = parse({ delimiter: ';', from_line: 2, trim: true });
  parser.on('readable', () => {
    let row;
    while ((row = parser.read()) !== null) rows.push(row);
  });
  const done = new Promise((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  parser.write('h1;h2\n a ; b \n');
  parser.write('c;d\n');
  parser.end();
  await done;
  console.log(JSON.stringify(rows));
  try {
    parseSync('a,b\n1,2,3\n');
  } catch (err) {
    console.log(err.code);
  }
});
