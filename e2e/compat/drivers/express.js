// express: routing, params, query, JSON body parsing, error middleware, on a real socket.
const express = require('express');
const { request, run } = require('../lib/harness.js');

run(async () => {
  const app = express();
  app.set('etag', false);
  app.use(express.json());
  app.get('/hello/:name', (req, res) => res.json({ hello: req.params.name, query: req.query }));
  app.post('/items', (req, res) => res.status(201).json({ created: req.body, count: req.body.tags.length }));
  app.get('/fail', () => {
    throw new Error('boom');
  });
  app.use((err, req, res, next) => res.status(500).type('text').send(`handled: ${err.message}`));
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  const show = (r) => console.log(r.status, r.type, r.body);
  show(await request(`${base}/hello/ada?lang=en&n=2`));
  show(await request(`${base}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', tags: ['a', 'b'] }) }));
  show(await request(`${base}/fail`));
  show(await request(`${base}/missing`));
  server.close();
});
