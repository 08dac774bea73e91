import { defineEndpoint, type Endpoint, text } from '@psd2/http';
import { loadOpenApiDocument } from '@psd2/openapi';

/**
 * `GET /oauth2/openapi.json`: the OpenAPI document of every endpoint (packages/openapi/openapi.yaml),
 * read and serialised once when the app is built, with this deployment's issuer as its server.
 */
export function openApiEndpoint(issuer: string): Endpoint {
  const document = text(
    JSON.stringify(loadOpenApiDocument({ serverUrl: issuer })),
    'application/json; charset=utf-8',
    { headers: { 'Cache-Control': 'public, max-age=300' } },
  );
  return defineEndpoint({
    method: 'GET',
    path: '/oauth2/openapi.json',
    response: 'api',
    handle: async () => document,
  });
}
