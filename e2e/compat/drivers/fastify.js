// fastify: schema-validated routes, hooks, inject and a real listen on 127.0.0.1.
const Fastify = require('fastify');
const { request, run } = require('../lib/harness.js');

run(async () => {
  const app = Fastify({ logger: false });
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-hook', 'yes');
    return payload;
  });
  app.get('/sum', { schema: { querystring: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' } }, required: ['a', 'b'] } } }, async (req) => ({
    sum: req.query.a + req.query.b,
  }));
  app.post('/user', { schema: { body: { type: 'object', properties: { name: { type: 'string', minLength: 2 } }, required: ['name'] } } }, async (req, reply) => {
    reply.code(201);
    return { id: 1, name: req.body.name };
  });
  const injected = await app.inject({ method: 'GET', url: '/sum?a=2&b=40' });
  console.log('inject', injected.statusCode, injected.headers['x-hook'], injected.body);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${app.server.address().port}`;
  const show = (r) => console.log(r.status, r.type, r.body);
  show(await request(`${base}/sum?a=1&b=2`));
  show(await request(`${base}/sum?a=x&b=2`));
  show(await request(`${base}/user`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"ada"}' }));
  show(await request(`${base}/user`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"a"}' }));
  await app.close();
});
