import { describe, expect, it } from '@jest/globals';
import { EDGE_ROUTES, routeFor } from '@psd2/edge-config';
import { loadOpenApiDocument } from './index.js';

const document = loadOpenApiDocument();
const paths = Object.keys(document.paths as Record<string, unknown>);
/** A documented path as a request would spell it (`{lang}` and `{client_id}` filled in). */
const concrete = (template: string, lang: string) =>
  template.replace('{lang}', lang).replace('{client_id}', 'abcdefghijklmnopqrstuv');

describe('openapi.yaml', () => {
  it('is OpenAPI 3.1 with the mutual-TLS security scheme', () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document).toMatchObject({ components: { securitySchemes: { qwac: { type: 'mutualTLS' } } } });
  });

  it('documents only paths the edge routes somewhere, on the listener the path names', () => {
    const documented = document.paths as Record<string, { servers?: { url: string }[] }>;
    for (const path of paths) {
      // A path with its own servers lives on the internal listener (port 8444); the rest on the public one.
      const listener = documented[path]?.servers?.[0]?.url.endsWith(':8444') ? 'internal' : 'public';
      for (const lang of ['fr', 'en'])
        expect([path, routeFor(concrete(path, lang), listener)]).toEqual([path, expect.anything()]);
    }
    expect(documented['/oauth2/introspect']?.servers?.[0]?.url).toBe('https://{internalHost}:8444');
    expect(routeFor('/oauth2/introspect', 'public')).toBeUndefined();
  });

  it('documents every exact route of the edge', () => {
    for (const route of EDGE_ROUTES) {
      if ('path' in route.match) expect(paths).toContain(route.match.path);
    }
  });

  it('names the given server when asked to', () => {
    expect(loadOpenApiDocument({ serverUrl: 'https://psd2.bank.test' }).servers).toEqual([
      { url: 'https://psd2.bank.test' },
    ]);
  });
});
