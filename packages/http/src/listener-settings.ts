import { env } from '@psd2/config';

/**
 * What every HTTP service's listener reads (docs/edge-to-service.md), parsed with the service's own
 * settings in one go by runHttpService. No file has a default: a service never listens without TLS.
 */
export const edgeListenerSettings = {
  /** The service's server certificate (chain allowed) and key, PEM. */
  TLS_CERT_FILE: env.readableFile(),
  TLS_KEY_FILE: env.readableFile(),
  /** The internal CA that issues the edge's client certificate; no other CA is trusted on PORT. */
  EDGE_PEER_CA_FILE: env.readableFile(),
  /** DNS or URI SANs naming the edge; its client certificate must carry one. */
  EDGE_PEER_NAMES: env.nonEmptyList(['psd2-edge']),
};
