// bcryptjs: hashing with a fixed salt (deterministic), comparison, salt rounds, async API.
const bcrypt = require('bcryptjs');
const { run } = require('../lib/harness.js');

run(async () => {
  const salt = '$2b$04$abcdefghijklmnopqrstuu';
  const hash = bcrypt.hashSync('correct horse', salt);
  console.log(hash, bcrypt.getRounds(hash), bcrypt.getSalt(hash));
  console.log(bcrypt.compareSync('correct horse', hash), bcrypt.compareSync('wrong', hash));
  console.log(await bcrypt.compare('correct horse', hash), await bcrypt.hash('x', '$2b$04$0123456789012345678901'));
  const fresh = bcrypt.hashSync('pw', 4);
  console.log('random salt', fresh.length, bcrypt.compareSync('pw', fresh));
});
