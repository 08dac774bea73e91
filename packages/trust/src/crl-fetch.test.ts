import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { fetchCrlBytes } from './crl-fetch.js';
import {
  closedUrl,
  type DistributionPointServer,
  serve,
  startDistributionPoint,
} from './crl-test-support.js';

/* One CRL fetch: plain http only, bounded in time and size, redirects followed only to http. */

let server: DistributionPointServer;
const limits = { timeoutMs: 500, maxBytes: 1024 };
const fetchOf = (path: string) => fetchCrlBytes(`${server.base}${path}`, limits, globalThis.fetch);

beforeAll(async () => {
  server = await startDistributionPoint();
});
afterAll(() => server.close());
beforeEach(() => server.answers.clear());

describe('fetchCrlBytes', () => {
  it('returns the body of a 200 answer', async () => {
    server.answers.set('/ok.crl', serve(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00])));
    expect([...(await fetchOf('/ok.crl'))]).toEqual([0x30, 0x03, 0x02, 0x01, 0x00]);
  });

  it.each([
    ['https://crl.example/ca.crl', 'uses https: (only http: is fetched)'],
    ['ldap://ldap.example/cn=CA?certificateRevocationList', 'uses ldap: (only http: is fetched)'],
    ['file:///etc/passwd', 'uses file: (only http: is fetched)'],
    ['not a url', 'is not a URL'],
  ])('refuses %s', async (url, message) => {
    await expect(fetchCrlBytes(url, limits, globalThis.fetch)).rejects.toThrow(message);
  });

  it('follows a redirect to http, and refuses one to another scheme', async () => {
    server.answers.set('/moved.crl', (_request, response) =>
      response.writeHead(301, { location: '/ok.crl' }).end(),
    );
    server.answers.set('/ok.crl', serve('crl'));
    expect((await fetchOf('/moved.crl')).toString()).toBe('crl');
    server.answers.set('/tls.crl', (_request, response) =>
      response.writeHead(302, { location: 'https://crl.example/ca.crl' }).end(),
    );
    await expect(fetchOf('/tls.crl')).rejects.toThrow('uses https: (only http: is fetched)');
    server.answers.set('/loop.crl', (_request, response) =>
      response.writeHead(302, { location: '/loop.crl' }).end(),
    );
    await expect(fetchOf('/loop.crl')).rejects.toThrow('redirected more than 3 times');
  });

  it('refuses a body over the cap, declared or streamed', async () => {
    server.answers.set('/declared.crl', serve(Buffer.alloc(2048)));
    await expect(fetchOf('/declared.crl')).rejects.toThrow('declares 2048 bytes, over the 1024 cap');
    server.answers.set('/streamed.crl', (_request, response) => {
      // Chunked, no length: an endless stream is cut at the cap.
      response.writeHead(200);
      const timer = setInterval(() => response.write(Buffer.alloc(512)), 5);
      response.on('close', () => clearInterval(timer));
    });
    await expect(fetchOf('/streamed.crl')).rejects.toThrow('is over the 1024 byte cap');
  });

  it('gives up on a slow server at the timeout, body included', async () => {
    server.answers.set('/silent.crl', () => undefined);
    const started = Date.now();
    await expect(fetchOf('/silent.crl')).rejects.toThrow('did not answer within 500 ms');
    server.answers.set('/drip.crl', (_request, response) => {
      response.writeHead(200);
      const timer = setInterval(() => response.write('x'), 50);
      response.on('close', () => clearInterval(timer));
    });
    await expect(fetchOf('/drip.crl')).rejects.toThrow('did not answer within 500 ms');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('says when the server is unreachable', async () => {
    await expect(fetchCrlBytes(await closedUrl('/ca.crl'), limits, globalThis.fetch)).rejects.toThrow(
      'is unreachable (ECONNREFUSED)',
    );
  });
});
