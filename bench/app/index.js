// The bench app's entry: `node app.cjs <mode> [args]`; each mode loads only what it measures (see bench/run.js).
'use strict';

// Literal requires inside functions: the bundlers include every mode, and a run loads only its own.
const MODES = {
  startup: () => require('./lib/startup.js'),
  express: () => require('./lib/server-express.js'),
  fastify: () => require('./lib/server-fastify.js'),
  cpu: () => require('./lib/cpu.js'),
};

async function main() {
  const [mode = 'startup', ...args] = process.argv.slice(2);
  const load = MODES[mode];
  if (!load) throw new Error(`bench app: unknown mode ${JSON.stringify(mode)}; use one of ${Object.keys(MODES).join(', ')}`);
  await load().run(args);
}

main().catch((error) => {
  // The stack, not util.inspect: after lockdown inspect may print a bare {}.
  process.stderr.write(`${(error && error.stack) || String(error)}\n`);
  process.exit(1);
});
