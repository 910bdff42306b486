// jsonwebtoken: HS256 sign/verify with fixed times, expiry, wrong-secret errors, decode.
const jwt = require('jsonwebtoken');

const token = jwt.sign({ sub: 'ada', role: 'admin', iat: 1700000000 }, 'secret', { algorithm: 'HS256', expiresIn: '1h', issuer: 'compat' });
console.log(token);
console.log(JSON.stringify(jwt.verify(token, 'secret', { clockTimestamp: 1700000100, issuer: 'compat' })));
try {
  jwt.verify(token, 'wrong', { clockTimestamp: 1700000100 });
} catch (err) {
  console.log(err.name, err.message);
}
try {
  jwt.verify(token, 'secret', { clockTimestamp: 1700009999 });
} catch (err) {
  console.log(err.name, err.message, err.expiredAt.toISOString());
}
console.log(JSON.stringify(jwt.decode(token, { complete: true }).header));
