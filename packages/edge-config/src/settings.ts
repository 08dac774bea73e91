import { env } from '@psd2/config';

/*
 * The configuration both edges honour, and the public issuer URL every service derives from it.
 * Envoy cannot read environment variables in its bootstrap, so its deployment maps them onto files
 * (ENVOY_TLS_FILES) and its listener port; the local edge reads them directly.
 */

export const DEFAULT_EDGE_PORT = 8443;

/** Fields for a zod object passed to loadConfig, e.g. `z.object({ ...edgeSettings, PORT: env.port(8081) })`. */
export const issuerSettings = {
  EDGE_PORT: env.port(DEFAULT_EDGE_PORT),
  /** The public base URL: the issuer, `iss`, and every absolute URL a service writes. */
  ISSUER: env.optionalUrl(['https']),
};

export const edgeSettings = {
  ...issuerSettings,
  /** The edge's server certificate (PEM, chain allowed) and key. */
  EDGE_TLS_CERT_FILE: env.optionalText(),
  EDGE_TLS_KEY_FILE: env.optionalText(),
  /** The trusted QTSP CA bundle client certificates are validated against. */
  EDGE_CLIENT_CA_FILE: env.optionalText(),
};

/**
 * RFC 8414 §2: the issuer is an https URL without query or fragment. Returned without a trailing slash
 * when the path is empty, the form metadata documents and `iss` values conventionally use.
 */
export function publicIssuer(config: {
  readonly EDGE_PORT: number;
  readonly ISSUER?: URL | undefined;
}): string {
  const url = config.ISSUER ?? new URL(`https://localhost:${config.EDGE_PORT}`);
  if (url.search !== '' || url.hash !== '') throw new Error('ISSUER must not have a query or a fragment');
  return url.pathname === '/' ? url.origin : `${url.origin}${url.pathname.replace(/\/$/, '')}`;
}
