import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * The document's source, at the package root: the same file from `src/` (tests) and `dist/` (run time),
 * and shipped in the image with the package, unlike `docs/`.
 */
export const OPENAPI_YAML_PATH = fileURLToPath(new URL('../openapi.yaml', import.meta.url));

/** A parsed OpenAPI 3.1 document: plain JSON values only. */
export type OpenApiDocument = Readonly<Record<string, unknown>>;

/**
 * Reads and parses openapi.yaml (synchronously: called once at start-up). With `serverUrl`, the
 * `servers` list names that URL alone, so the served copy points a TPP at the deployment it came from.
 */
export function loadOpenApiDocument(options: { readonly serverUrl?: string } = {}): OpenApiDocument {
  const parsed: unknown = parse(readFileSync(OPENAPI_YAML_PATH, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${OPENAPI_YAML_PATH} is not a YAML mapping`);
  }
  const document = parsed as Record<string, unknown>;
  if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.1.')) {
    throw new Error(`${OPENAPI_YAML_PATH} is not an OpenAPI 3.1 document`);
  }
  if (options.serverUrl === undefined) return document;
  return { ...document, servers: [{ url: options.serverUrl }] };
}
