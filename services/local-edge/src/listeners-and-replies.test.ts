import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  EDGE_REPLY_TEXTS,
  HTML_CONTENT_TYPE,
  htmlReplyBody,
  JSON_CONTENT_TYPE,
  jsonReplyBody,
  NOT_FOUND_BODY,
} from '@psd2/edge-config';
import { type LocalEdge, startLocalEdge } from './edge.js';
import { callEdge, closedUrl, edgeOptions, listening, stop, useTestPki } from './edge.test-support.js';
import { replyContent } from './edge-replies.js';

/*
 * The internal listener (introspection only, for the bank's API) beside the public one, and the
 * edge's own replies: HTML on the PSU's pages, OAuth JSON elsewhere, the very texts envoy.yaml's
 * local_reply_config is checked against (packages/edge-config/src/envoy-local-replies.test.ts).
 */

const files = useTestPki();
let edge: LocalEdge;
const token = http.createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ path: request.url }));
});

beforeAll(async () => {
  const down = await closedUrl();
  edge = await startLocalEdge(
    edgeOptions(
      files.pki,
      { registration: down, authorization: down, token: await listening(token), revocation: down },
      { internalPort: 0 },
    ),
  );
});

afterAll(async () => {
  await edge?.close();
  await stop(token);
});

const request = (method: string) => ({
  method,
  qwac: 'psp-as' as const,
  ...(method === 'POST' ? { body: 'token=x' } : {}),
});
const onPublic = (path: string, method = 'POST') => callEdge(edge, files.pki, path, request(method));
const onInternal = (path: string, method = 'POST') =>
  callEdge({ ...edge, url: edge.internalUrl ?? '' }, files.pki, path, {
    method,
    qwac: 'psp-as',
    body: 'token=x',
  });

describe('local edge: the internal listener', () => {
  it('listens on a port of its own, with the same TLS', () => {
    expect(edge.internalUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(edge.internalUrl).not.toBe(edge.url);
  });

  it('sends /oauth2/introspect to the token service', async () => {
    const reply = await onInternal('/oauth2/introspect');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ path: '/oauth2/introspect' });
  });

  it('answers the JSON 404 for every other path, public routes included', async () => {
    for (const path of ['/oauth2/token', '/.well-known/oauth-authorization-server', '/oauth2/fr/x', '/']) {
      const reply = await onInternal(path);
      expect([path, reply.status, reply.text]).toEqual([path, 404, NOT_FOUND_BODY]);
    }
  });

  it('is absent from the public listener: /oauth2/introspect there is the JSON 404', async () => {
    const reply = await onPublic('/oauth2/introspect');
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBe(JSON_CONTENT_TYPE);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.text).toBe(NOT_FOUND_BODY);
  });

  it('is not opened unless asked for', async () => {
    const down = await closedUrl();
    const publicOnly = await startLocalEdge(
      edgeOptions(files.pki, { registration: down, authorization: down, token: down, revocation: down }),
    );
    expect(publicOnly.internalUrl).toBeUndefined();
    await publicOnly.close();
  });
});

describe("local edge: its own replies, as Envoy's local_reply_config says them", () => {
  it('answers a page route whose service is down with the HTML page, an API route with OAuth JSON', async () => {
    const page = await onPublic('/oauth2/fr/sandbox/signin.html?client_id=x', 'GET');
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toBe(HTML_CONTENT_TYPE);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toBe(htmlReplyBody('upstreamUnavailable'));
    const api = await onPublic('/oauth2/par');
    expect(api.status).toBe(503);
    expect(api.headers['content-type']).toBe(JSON_CONTENT_TYPE);
    expect(JSON.parse(api.text)).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The service is unavailable.',
    });
  });

  it('recognises a page route on the normalised path, as Envoy matches :path after normalize_path', async () => {
    const reply = await onPublic('/oauth2/en/sandbox/../signin.html', 'GET');
    expect(reply.status).toBe(503);
    expect(reply.text).toBe(htmlReplyBody('upstreamUnavailable'));
  });

  it.each(Object.keys(EDGE_REPLY_TEXTS) as (keyof typeof EDGE_REPLY_TEXTS)[])(
    'says %s with the shared texts on either kind of path',
    (name) => {
      const reply = { name, status: EDGE_REPLY_TEXTS[name].status };
      expect(replyContent(reply, '/oauth2/en/banque/oauth2_authorization.aspx?a=1')).toEqual({
        body: htmlReplyBody(name),
        contentType: HTML_CONTENT_TYPE,
      });
      expect(replyContent(reply, '/oauth2/token')).toEqual({
        body: jsonReplyBody(name),
        contentType: JSON_CONTENT_TYPE,
      });
    },
  );

  it('keeps the 404 in JSON, and an unparseable target in JSON', () => {
    expect(replyContent({ name: 'notFound', status: 404 }, '/oauth2/fr/')).toEqual({
      body: NOT_FOUND_BODY,
      contentType: JSON_CONTENT_TYPE,
    });
    expect(replyContent({ name: 'malformed', status: 400 }, '//[').contentType).toBe(JSON_CONTENT_TYPE);
  });
});
