import { loadOpenApiDocument } from '@psd2/openapi';
import type { Request, Response } from 'express';

/**
 * `GET /oauth2/openapi.json`: the OpenAPI document of every endpoint (packages/openapi/openapi.yaml),
 * read and serialised once when the app is built, with this deployment's issuer as its server.
 */
export function openApiEndpoint(issuer: string) {
  const body = JSON.stringify(loadOpenApiDocument({ serverUrl: issuer }));
  return (_req: Request, res: Response): void => {
    res.set('Cache-Control', 'public, max-age=300').type('application/json').send(body);
  };
}
