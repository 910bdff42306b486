// ws: a WebSocket server and client on 127.0.0.1 exchanging text and binary messages, then closing.
const { WebSocketServer, WebSocket } = require('ws');
const { run } = require('../lib/harness.js');

run(async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.on('listening', resolve));
  wss.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => {
      if (isBinary) socket.send(Buffer.from([...data].reverse()), { binary: true });
      else socket.send(`echo: ${data.toString().toUpperCase()}`);
    });
  });
  const client = new WebSocket(`ws://127.0.0.1:${wss.address().port}`);
  const received = [];
  await new Promise((resolve, reject) => {
    client.on('error', reject);
    client.on('open', () => {
      client.send('hello');
      client.send(Buffer.from([1, 2, 3]));
    });
    client.on('message', (data, isBinary) => {
      received.push(isBinary ? `binary ${[...data].join(',')}` : `text ${data.toString()}`);
      if (received.length === 2) client.close(1000, 'done');
    });
    client.on('close', (code, reason) => {
      received.push(`closed ${code} ${reason.toString()}`);
      resolve();
    });
  });
  for (const line of received) console.log(line);
  await new Promise((resolve) => wss.close(resolve));
});
