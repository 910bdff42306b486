// koa: middleware cascade, context helpers, error handling, on a real socket.
const Koa = require('koa');
const { request, run } = require('../lib/harness.js');

run(async () => {
  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
      ctx.set('x-trace', `${ctx.method} ${ctx.path}`);
    } catch (err) {
      ctx.status = err.status || 500;
      ctx.body = { error: err.message };
    }
  });
  app.use(async (ctx) => {
    if (ctx.path === '/greet') ctx.body = { greeting: `hi ${ctx.query.name}`, accepts: ctx.accepts('json', 'html') };
    else if (ctx.path === '/teapot') ctx.throw(418, 'short and stout');
    else ctx.body = 'plain text';
  });
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  const show = (r) => console.log(r.status, r.type, r.body);
  show(await request(`${base}/greet?name=bob`, { headers: { accept: 'application/json' } }));
  show(await request(`${base}/teapot`));
  show(await request(`${base}/other`));
  server.close();
});
