// Fastify mode: the same JSON API as express mode, with schema-compiled params and response serialization.
'use strict';

const Fastify = require('fastify');
const { report } = require('./report.js');
const { USER } = require('./fixtures.js');

const USER_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    email: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string' },
    query: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

exports.run = async function run([port = '0']) {
  const app = Fastify({ logger: false });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });
  app.get('/users/:id', {
    schema: { params: { type: 'object', properties: { id: { type: 'integer' } } }, response: { 200: USER_SCHEMA } },
    handler: async (request) => ({ ...USER, id: request.params.id, query: request.query }),
  });
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  report({ mode: 'fastify', port: app.server.address().port });
  process.on('SIGTERM', () => {
    report({ mode: 'fastify', stopped: true });
    process.exit(0);
  });
};
