// commander: options, subcommands, argument parsing, and help text, without touching process.argv.
const { Command, InvalidArgumentError } = require('commander');

function int(value) {
  const n = Number.parseInt(value, 10);
  if (Number.isNaN(n)) throw new InvalidArgumentError('Not a number.');
  return n;
}
const program = new Command();
program.name('demo').description('a demo CLI').version('1.2.3').exitOverride().configureOutput({ writeOut: (s) => console.log(s.trimEnd()), writeErr: (s) => console.log('err:', s.trimEnd()) });
program
  .command('serve')
  .argument('<dir>', 'directory')
  .option('-p, --port <n>', 'port', int, 8080)
  .option('--no-cache', 'disable cache')
  .action((dir, opts) => console.log('serve', dir, JSON.stringify(opts)));
program.parse(['serve', 'public', '-p', '3000', '--no-cache'], { from: 'user' });
try {
  program.parse(['serve', 'x', '-p', 'abc'], { from: 'user' });
} catch (err) {
  console.log('code', err.code);
}
console.log(program.helpInformation());
