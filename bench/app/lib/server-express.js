// Express mode: a small JSON API on 127.0.0.1 (port from argv, 0 = any); reports its port, then its peak RSS on SIGTERM.
'use strict';

const express = require('express');
const { report } = require('./report.js');
const { USER } = require('./fixtures.js');

exports.run = async function run([port = '0']) {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());
  app.use((req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });
  app.get('/users/:id', (req, res) => {
    res.json({ ...USER, id: Number(req.params.id), query: req.query });
  });
  const server = app.listen(Number(port), '127.0.0.1', () => report({ mode: 'express', port: server.address().port }));
  process.on('SIGTERM', () => {
    report({ mode: 'express', stopped: true });
    process.exit(0);
  });
};
