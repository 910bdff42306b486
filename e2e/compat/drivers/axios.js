// axios: GET/POST with JSON, params, interceptors and an error status, against a local server.
const axios = require('axios');
const { listen, run } = require('../lib/harness.js');

run(async () => {
  const { server, base } = await listen((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url.startsWith('/missing')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end('{"error":"not here"}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body, trace: req.headers['x-trace'] ?? null }));
    });
  });
  const client = axios.create({ baseURL: base, httpAgent: new (require('node:http').Agent)({ keepAlive: false }) });
  client.interceptors.request.use((config) => {
    config.headers['x-trace'] = 'abc';
    return config;
  });
  const a = await client.get('/things', { params: { page: 2, q: 'x y' } });
  console.log(a.status, JSON.stringify(a.data));
  const b = await client.post('/things', { name: 'thing' });
  console.log(b.status, JSON.stringify(b.data));
  try {
    await client.get('/missing');
  } catch (err) {
    console.log('error', err.name, err.code, err.response.status, JSON.stringify(err.response.data));
  }
  server.close();
});
