import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineEndpoint, type Endpoint, type HttpAppOptions, page, text } from '@psd2/http';
import { InvalidRequestError } from '@psd2/oauth-errors';
import { z } from 'zod';

/*
 * `GET /oauth2/docs`: the OpenAPI document (GET /oauth2/openapi.json) rendered by Swagger UI, every
 * file served by this service under /oauth2/docs/… (no CDN: a TPP's browser fetches nothing from a
 * third party on the bank's name). The page has no inline script or style, so its CSP allows 'self'
 * only (images also `data:`, which Swagger UI's stylesheet uses for its icons).
 */

/** The page's Content-Security-Policy (helmet, for every `page` endpoint of the token service). */
export const DOCS_PAGE_HEADERS: NonNullable<HttpAppOptions['helmet']> = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'"],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
    },
  },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  frameguard: { action: 'deny' },
};

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PSD2 authorization server API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/oauth2/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/oauth2/docs/swagger-ui-bundle.js"></script>
<script src="/oauth2/docs/docs-init.js"></script>
</body>
</html>
`;

interface Asset {
  readonly file: string;
  readonly contentType: string;
}

/** The files the page loads, by the name it loads them under; nothing else is served. */
const SWAGGER_ASSETS = {
  'swagger-ui.css': { file: 'swagger-ui.css', contentType: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', contentType: 'text/javascript; charset=utf-8' },
} as const satisfies Record<string, Asset>;

/** swagger-ui-dist's directory (its package.json is resolvable: the package has no `exports`). */
function swaggerUiDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/** The initializer, beside the service's sources: the same file from `src/` (tests) and `dist/`. */
const INITIALIZER_PATH = fileURLToPath(new URL('../assets/docs-init.js', import.meta.url));

/** A stylesheet's trailing source-map comment, which would send a browser after a file not served. */
const withoutSourceMap = (body: string) => body.replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '');

const CACHE = { 'Cache-Control': 'public, max-age=3600' };

/** The page and its assets, each file read once when the app is built. */
export function docsEndpoints(): Endpoint[] {
  const directory = swaggerUiDirectory();
  const assets = new Map(
    Object.entries(SWAGGER_ASSETS).map(([name, asset]) => [
      name,
      text(withoutSourceMap(readFileSync(join(directory, asset.file), 'utf8')), asset.contentType, {
        headers: CACHE,
      }),
    ]),
  );
  assets.set(
    'docs-init.js',
    text(readFileSync(INITIALIZER_PATH, 'utf8'), 'text/javascript; charset=utf-8', { headers: CACHE }),
  );
  const docsPage = page(DOCS_HTML, { headers: { 'Cache-Control': 'public, max-age=300' } });
  return [
    defineEndpoint({
      method: 'GET',
      path: '/oauth2/docs',
      response: 'page',
      handle: async () => docsPage,
    }),
    defineEndpoint({
      method: 'GET',
      path: '/oauth2/docs/:asset',
      response: 'page',
      input: { params: z.object({ asset: z.string() }) },
      handle: async ({ params }) => {
        const asset = assets.get(params.asset);
        if (asset === undefined) throw new InvalidRequestError({ status: 404, description: 'No such file.' });
        return asset;
      },
    }),
  ];
}
