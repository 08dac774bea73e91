import { env } from '@psd2/config';
import { EDGE_HEALTH, ENVOY_INTERNAL_PORT, edgeSettings } from '@psd2/edge-config';
import { z } from 'zod';
import { checkCrlFileSync } from './client-crl.js';

/** The local edge's environment: the shared edge settings plus where each service listens. */
export const localEdgeSchema = z.object({
  ...edgeSettings,
  /** Loopback by default: a laptop's edge is for the laptop. */
  EDGE_HOST: env.host('127.0.0.1'),
  /**
   * The internal listener: introspection for the bank's API, on its own port (envoy.yaml's
   * `edge_internal`, 8444), with the same TLS files; the public port answers the JSON 404 there.
   */
  EDGE_INTERNAL_PORT: env.port(ENVOY_INTERNAL_PORT),
  /** Plain-HTTP readiness (`GET /ready`), as envoy.yaml's health listener; what `pnpm start` polls. */
  EDGE_HEALTH_PORT: env.port(EDGE_HEALTH.port),
  /**
   * PEM CRLs (one or more, concatenated) of the trusted QTSP CAs; read and checked here, so a broken file
   * stops start-up naming this variable. Unset: no revocation check. Reloaded when it changes.
   */
  EDGE_CLIENT_CRL_FILE: env.optionalText().superRefine((path, context) => {
    if (path === undefined) return;
    try {
      checkCrlFileSync(path);
    } catch (error) {
      context.addIssue({
        code: 'custom',
        message: `must be a readable file of PEM CRLs: it ${(error as Error).message}`,
      });
    }
  }),
  // The services speak HTTPS to the edge alone (docs/edge-to-service.md): no plain http:// upstream.
  REGISTRATION_UPSTREAM: env.url(['https'], 'https://127.0.0.1:8081'),
  AUTHORIZATION_UPSTREAM: env.url(['https'], 'https://127.0.0.1:8082'),
  TOKEN_UPSTREAM: env.url(['https'], 'https://127.0.0.1:8083'),
  REVOCATION_UPSTREAM: env.url(['https'], 'https://127.0.0.1:8084'),
  /**
   * The edge's client certificate and key for the services (DNS SAN psd2-edge, clientAuth) and the
   * internal CA their server certificates chain to. Unset: the demo PKI's internal ones.
   */
  UPSTREAM_TLS_CERT_FILE: env.optionalText(),
  UPSTREAM_TLS_KEY_FILE: env.optionalText(),
  UPSTREAM_CA_FILE: env.optionalText(),
  /** Where the demo PKI goes when any of the EDGE_TLS_*, EDGE_CLIENT_CA_FILE or UPSTREAM_* files is unset. */
  DEMO_PKI_DIR: env.optionalText(),
  LOG_LEVEL: env.logLevel('info'),
});

export type LocalEdgeSettings = z.output<typeof localEdgeSchema>;
