// debug: namespaces enabled programmatically, printf-style formatters, a custom log sink.
process.env.DEBUG_HIDE_DATE = 'true';
process.env.DEBUG_COLORS = 'false';
const createDebug = require('debug');

createDebug.enable('app:*,-app:secret');
createDebug.log = (...args) => console.log(...args);
const db = createDebug('app:db');
const secret = createDebug('app:secret');
const other = createDebug('other');
db('connected to %s with %d retries %o', 'db1', 3, { pool: 2 });
secret('hidden');
other('not enabled');
console.log('enabled', db.enabled, secret.enabled, other.enabled);
const child = db.extend('query');
child('select %j', { id: 1 });
console.log(createDebug.names.map(String).join(' '), createDebug.skips.map(String).join(' '));
