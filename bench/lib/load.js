// A bounded HTTP/1.1 keep-alive load generator for loopback servers: raw sockets, fixed request, counted responses.
//
// Why not http.Agent: on 2 cores the client shares the machine with the server, and Node's http client
// spends about as much CPU per request as the server does, which would compress the sandboxed/plain
// ratio toward 1. Writing one pre-built request per connection and counting Content-Length-framed
// responses costs a small fraction of that, so the server stays the bottleneck.

import net from 'node:net';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * Runs `connections` keep-alive connections, each sending the next request when the previous response
 * is complete, until `durationMs` passes or `maxRequests` responses arrive (whichever is first).
 * Returns { requests, errors, ms, rps }. Only loopback hosts are accepted.
 */
export function runLoad({ host = '127.0.0.1', port, path = '/', connections = 8, durationMs = 3000, maxRequests = 1_000_000 }) {
  if (!LOOPBACK.test(host)) throw new Error(`bench: load generator targets loopback only, got ${JSON.stringify(host)}`);
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: keep-alive\r\nAccept: application/json\r\n\r\n`);
  return new Promise((resolve) => {
    let requests = 0;
    let errors = 0;
    let stopped = false;
    const sockets = [];
    const start = process.hrtime.bigint();
    const finish = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      for (const socket of sockets) socket.destroy();
      resolve({ requests, errors, ms, rps: (requests * 1000) / ms });
    };
    const timer = setTimeout(finish, durationMs);

    for (let c = 0; c < connections; c++) {
      const socket = net.connect({ host, port });
      sockets.push(socket);
      socket.setNoDelay(true);
      let buffered = Buffer.alloc(0);
      const send = () => {
        if (!stopped) socket.write(request);
      };
      socket.on('connect', send);
      socket.on('data', (chunk) => {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        // Consume every complete response in the buffer (one per request: no pipelining).
        for (;;) {
          const headerEnd = buffered.indexOf('\r\n\r\n');
          if (headerEnd < 0) return;
          const head = buffered.toString('latin1', 0, headerEnd);
          const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          if (!match) {
            errors++;
            socket.destroy();
            return;
          }
          const total = headerEnd + 4 + Number(match[1]);
          if (buffered.length < total) return;
          if (!head.startsWith('HTTP/1.1 200')) errors++;
          buffered = buffered.subarray(total);
          requests++;
          if (requests >= maxRequests) return finish();
          send();
        }
      });
      socket.on('error', () => {
        errors++;
      });
    }
  });
}
