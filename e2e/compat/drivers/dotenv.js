// dotenv: parse a .env text, and load a file into process.env (quiet), with override and expansion-free values.
const fs = require('node:fs');
const path = require('node:path');
const dotenv = require('dotenv');
const { tempDir } = require('../lib/harness.js');

console.log(JSON.stringify(dotenv.parse('A=1\nB="two words"\n# comment\nC=\'single\'\nMULTI="x\ny"\nEMPTY=\n')));
const dir = tempDir('dotenv');
const file = path.join(dir, '.env');
fs.writeFileSync(file, 'SB_COMPAT_X=from-file\nSB_COMPAT_Y=y\n');
process.env.SB_COMPAT_Y = 'already';
const result = dotenv.config({ path: file, quiet: true });
console.log(JSON.stringify(result.parsed), process.env.SB_COMPAT_X, process.env.SB_COMPAT_Y);
dotenv.config({ path: file, override: true, quiet: true });
console.log(process.env.SB_COMPAT_Y);
const target = {};
dotenv.config({ path: file, processEnv: target, quiet: true });
console.log(JSON.stringify(target));
