// pino: structured logs written synchronously to stdout, child loggers, serializers, levels.
const pino = require('pino');

const logger = pino({ timestamp: false, base: null, level: 'debug', serializers: { err: pino.stdSerializers.err } }, pino.destination({ dest: 1, sync: true }));
logger.info('hello');
logger.debug({ user: 'ada', n: 2 }, 'with fields');
const child = logger.child({ module: 'db' });
child.warn('child says %s', 'hi');
logger.trace('not shown');
const err = new TypeError('bad input');
err.stack = 'TypeError: bad input\n    at <fixed>';
logger.error({ err }, 'failed');
console.log('level', logger.level, logger.isLevelEnabled('trace'));
