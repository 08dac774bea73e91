import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '@psd2/config';
import { z } from 'zod';
import { isPagePath, routeFor, routesOf } from './routes.js';
import { edgeSettings, publicIssuer } from './settings.js';

describe('routeFor', () => {
  it.each([
    ['/oauth2/register', 'registration'],
    ['/oauth2/register/abc-123', 'registration'],
    ['/oauth2/fr/sandbox/signin.html', 'authorization'],
    ['/oauth2/en/banque/oauth2_authorization.aspx', 'authorization'],
    ['/oauth2/par', 'authorization'],
    ['/oauth2/token', 'token'],
    ['/.well-known/oauth-authorization-server', 'token'],
    ['/oauth2/openapi.json', 'token'],
    ['/oauth2/docs', 'token'],
    ['/oauth2/docs/swagger-ui-bundle.js', 'token'],
    ['/oauth2/revoke', 'revocation'],
  ])('sends %s to %s', (path, service) => {
    expect(routeFor(path)?.service).toBe(service);
  });

  it.each(['/', '/oauth2', '/oauth2/registerX', '/oauth2/token/', '/oauth2/de/x', '/admin'])(
    'has no route for %s',
    (path) => {
      expect(routeFor(path)).toBeUndefined();
    },
  );
});

describe('the internal listener', () => {
  it('serves introspection alone; the public listener has no route for it', () => {
    expect(routeFor('/oauth2/introspect', 'internal')?.service).toBe('token');
    expect(routeFor('/oauth2/introspect')).toBeUndefined();
    expect(routeFor('/oauth2/introspect', 'public')).toBeUndefined();
    expect(routeFor('/oauth2/token', 'internal')).toBeUndefined();
    expect(routesOf('internal').map((route) => route.match)).toEqual([{ path: '/oauth2/introspect' }]);
  });
});

describe('page routes', () => {
  it('are the PSU pages under /oauth2/fr/ and /oauth2/en/, nothing else', () => {
    expect(isPagePath('/oauth2/fr/sandbox/signin.html')).toBe(true);
    expect(isPagePath('/oauth2/en/banque/oauth2_authorization.aspx')).toBe(true);
    for (const path of ['/oauth2/token', '/oauth2/par', '/oauth2/introspect', '/oauth2/de/x', '/'])
      expect(isPagePath(path)).toBe(false);
  });
});

describe('the pushed authorization request endpoint', () => {
  it('is exactly /oauth2/par', () => {
    expect(routeFor('/oauth2/par/')).toBeUndefined();
    expect(routeFor('/oauth2/parx')).toBeUndefined();
  });
});

describe('publicIssuer', () => {
  const schema = z.object(edgeSettings);

  it('defaults to https://localhost:<EDGE_PORT>', () => {
    expect(publicIssuer(parseConfig(schema, {}))).toBe('https://localhost:8443');
    expect(publicIssuer(parseConfig(schema, { EDGE_PORT: '9443' }))).toBe('https://localhost:9443');
  });

  it('uses ISSUER as given, without a trailing slash', () => {
    expect(publicIssuer(parseConfig(schema, { ISSUER: 'https://auth.bank.example/' }))).toBe(
      'https://auth.bank.example',
    );
    expect(publicIssuer(parseConfig(schema, { ISSUER: 'https://bank.example/psd2/' }))).toBe(
      'https://bank.example/psd2',
    );
  });

  it('refuses an http ISSUER', () => {
    expect(() => parseConfig(schema, { ISSUER: 'http://bank.example' })).toThrow('ISSUER');
  });
});

describe('the Swagger UI routes', () => {
  it('send the page and its files to the token service, and nothing that only begins like them', () => {
    expect(routeFor('/oauth2/docs/docs-init.js')?.service).toBe('token');
    expect(routeFor('/oauth2/docsX')).toBeUndefined();
  });
});
