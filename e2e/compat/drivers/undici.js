// undici: request() and fetch() against a local server, with a JSON body and response headers.
const { request: undiciRequest, fetch, Agent } = require('undici');
const { listen, run } = require('../lib/harness.js');

run(async () => {
  const { server, base } = await listen((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.writeHead(req.url === '/teapot' ? 418 : 200, { 'content-type': 'application/json', 'x-echo': req.method });
      res.end(JSON.stringify({ url: req.url, body }));
    });
  });
  const dispatcher = new Agent({ pipelining: 0 });
  const r1 = await undiciRequest(`${base}/a?x=1`, { dispatcher });
  console.log('request', r1.statusCode, r1.headers['x-echo'], JSON.stringify(await r1.body.json()));
  const r2 = await fetch(`${base}/b`, { method: 'POST', body: JSON.stringify({ n: 1 }), headers: { 'content-type': 'application/json' }, dispatcher });
  console.log('fetch', r2.status, r2.headers.get('x-echo'), await r2.text());
  const r3 = await fetch(`${base}/teapot`, { dispatcher });
  console.log('fetch', r3.status, r3.ok, (await r3.json()).url);
  await dispatcher.close();
  server.close();
});
