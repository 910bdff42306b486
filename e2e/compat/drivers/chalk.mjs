// chalk 5 (ESM-only): styles at a fixed colour level; colour detection via supports-color.
import chalk, { Chalk, supportsColor } from 'chalk';

const c = new Chalk({ level: 2 });
console.log(JSON.stringify(c.red.bold('error') + ' ' + c.bgBlue.white('info') + ' ' + c.hex('#ff8800')('orange') + ' ' + c.underline.rgb(10, 20, 30)('rgb')));
console.log(JSON.stringify(new Chalk({ level: 0 }).green('plain')));
// stdout is a pipe in both runs, with FORCE_COLOR unset: detection must say "no colour".
console.log('detected level', chalk.level, 'supportsColor', JSON.stringify(supportsColor));
