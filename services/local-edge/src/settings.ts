import { env } from '@psd2/config';
import { EDGE_HEALTH, edgeSettings } from '@psd2/edge-config';
import { z } from 'zod';

/** The local edge's environment: the shared edge settings plus where each service listens. */
export const localEdgeSchema = z.object({
  ...edgeSettings,
  /** Loopback by default: a laptop's edge is for the laptop. */
  EDGE_HOST: env.host('127.0.0.1'),
  /** Plain-HTTP readiness (`GET /ready`), as envoy.yaml's health listener; what `pnpm start` polls. */
  EDGE_HEALTH_PORT: env.port(EDGE_HEALTH.port),
  REGISTRATION_UPSTREAM: env.url(['http'], 'http://127.0.0.1:8081'),
  AUTHORIZATION_UPSTREAM: env.url(['http'], 'http://127.0.0.1:8082'),
  TOKEN_UPSTREAM: env.url(['http'], 'http://127.0.0.1:8083'),
  REVOCATION_UPSTREAM: env.url(['http'], 'http://127.0.0.1:8084'),
  /** Where the demo PKI goes when any of EDGE_TLS_CERT_FILE, EDGE_TLS_KEY_FILE, EDGE_CLIENT_CA_FILE is unset. */
  DEMO_PKI_DIR: env.optionalText(),
  LOG_LEVEL: env.logLevel('info'),
});

export type LocalEdgeSettings = z.output<typeof localEdgeSchema>;
