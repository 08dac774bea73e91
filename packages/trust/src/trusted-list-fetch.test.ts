import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readListSource } from './trusted-list-fetch.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/small') response.end('<list/>');
    // Streams without a length, more than the limit allows.
    else if (request.url === '/huge') {
      response.write('x'.repeat(600));
      response.end('x'.repeat(600));
    } else if (request.url === '/declared-huge') {
      response.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000));
    } else if (request.url === '/slow') setTimeout(() => response.end('<late/>'), 2_000).unref();
    else response.writeHead(500).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const limits = { timeoutMs: 300, maxBytes: 1_000 };

describe('readListSource', () => {
  it('reads a list within the limits', async () => {
    await expect(readListSource(`${base}/small`, limits)).resolves.toBe('<list/>');
  });

  it('refuses a list larger than allowed, declared or streamed', async () => {
    await expect(readListSource(`${base}/declared-huge`, limits)).rejects.toThrow(/larger than 1000 bytes/);
    await expect(readListSource(`${base}/huge`, limits)).rejects.toThrow(/larger than 1000 bytes/);
  });

  it('gives up on a server that does not answer in time', async () => {
    await expect(readListSource(`${base}/slow`, limits)).rejects.toThrow(/no complete answer within 300 ms/);
  });

  it('refuses an HTTP error and a missing file', async () => {
    await expect(readListSource(`${base}/error`, limits)).rejects.toThrow(/HTTP 500/);
    await expect(readListSource('/nonexistent/list.xml', limits)).rejects.toThrow(/ENOENT/);
  });
});
