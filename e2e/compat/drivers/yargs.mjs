// yargs (ESM-only): commands, options, coercion, validation failure and generated help.
import yargs from 'yargs';
import harness from '../lib/harness.js';

const cli = () =>
  yargs()
    .scriptName('demo')
    .wrap(80)
    .command('greet <name>', 'greet someone', (y) => y.positional('name', { type: 'string' }).option('times', { alias: 't', type: 'number', default: 1 }))
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'talk more' })
    .strict()
    .exitProcess(false)
    .fail((msg) => {
      throw new Error(msg);
    });

harness.run(async () => {
  const argv = await cli().parseAsync(['greet', 'ada', '-t', '3', '--verbose']);
  console.log(JSON.stringify({ name: argv.name, times: argv.times, verbose: argv.verbose, cmd: argv._ }));
  try {
    await cli().parseAsync(['greet']);
  } catch (err) {
    console.log('fail:', err.message);
  }
  console.log(await cli().getHelp());
});
