// Shared by the drivers (app code, unrestricted): one-shot HTTP requests, a bounded run, temp dirs.
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** One request with a fresh connection (no keep-alive, so servers close at once). */
function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'] ?? null, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A plain node:http server on 127.0.0.1, port 0; resolves with it and its base URL. */
function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}` }));
  });
}

/** Runs main with a deadline: a hung driver fails instead of blocking the suite. */
function run(main, deadlineMs = 15000) {
  const timer = setTimeout(() => {
    console.error(`driver: no exit after ${deadlineMs} ms`);
    process.exit(3);
  }, deadlineMs);
  timer.unref();
  Promise.resolve()
    .then(main)
    .catch((error) => {
      console.error('driver failed:', error && error.stack ? error.stack : error);
      // Open servers or sockets would keep a failed driver alive until the deadline.
      process.exit(1);
    });
}

/** A fresh temporary directory, removed at exit. */
function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sb-compat-${prefix}-`));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

module.exports = { request, listen, run, tempDir };
