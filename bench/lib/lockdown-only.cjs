// Preload for the plain bundle (`node -r bench/lib/lockdown-only.cjs plain-esbuild.cjs ...`): ses lockdown with the
// build's default options and nothing else, so bench/run.js can tell lockdown's own cost from the sandbox's.
'use strict';

const path = require('node:path');
// The ses every sandboxed bundle embeds (scripts/build.js patches it), not the one in node_modules.
require(path.resolve(__dirname, '../../dist/ses.cjs'));
// bench/run.js passes the tool's DEFAULT_LOCKDOWN (dist/src/options.js), so both measure the same lockdown.
lockdown(JSON.parse(process.env.BENCH_LOCKDOWN_OPTIONS));
