// winston: a logger with formats (no timestamps) and a Console transport writing to stdout.
const winston = require('winston');

const logger = winston.createLogger({
  level: 'debug',
  format: winston.format.combine(winston.format.splat(), winston.format.label({ label: 'app' }), winston.format.printf((info) => `[${info.label}] ${info.level}: ${info.message}${info.meta ? ' ' + JSON.stringify(info.meta) : ''}`)),
  transports: [new winston.transports.Console({ forceConsole: true })],
});
logger.info('hello %s', 'world');
logger.debug('details', { meta: { a: 1 } });
logger.warn('careful');
const json = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Console({ forceConsole: true })] });
json.error('as json', { code: 42 });
logger.on('finish', () => console.log('finished'));
logger.end();
