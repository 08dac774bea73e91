/*
 * TLS policy and limits shared by both edges. envoy-config.test.ts checks that envoy.yaml says the same.
 */

export const EDGE_TLS_POLICY = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  /**
   * TLS 1.2 suites: ECDHE only (forward secrecy) and AEAD only, as in Mozilla's "intermediate" profile
   * and ANSSI's TLS guide. TLS 1.3 suites are all AEAD and neither Envoy nor this list restricts them.
   */
  cipherSuites: [
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ],
  /**
   * TLS 1.3 suites: BoringSSL (Envoy) always offers exactly these. Named for Node because OpenSSL, given
   * a TLS 1.2 list alone, would switch TLS 1.3 off.
   */
  tls13CipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
  ecdhCurves: ['X25519', 'P-256'],
} as const;

export const EDGE_LIMITS = {
  /** OAuth requests are small forms and JSON documents; anything bigger is refused with 413. */
  maxRequestBodyBytes: 64 * 1024,
  maxRequestHeadersKb: 60,
  /** Whole request, from first byte to the end of the response (Envoy HCM `request_timeout`). */
  requestTimeoutSeconds: 30,
  /** Waiting for the upstream's response (Envoy route `timeout`). */
  routeTimeoutSeconds: 15,
  /** Headers must arrive within this (slowloris). */
  requestHeadersTimeoutSeconds: 10,
  /** Idle downstream keep-alive connections are closed after this. */
  idleTimeoutSeconds: 60,
  upstreamConnectTimeoutSeconds: 2,
} as const;

/**
 * Where the Envoy deployment mounts what the local edge reads from EDGE_TLS_CERT_FILE, EDGE_TLS_KEY_FILE,
 * EDGE_CLIENT_CA_FILE and EDGE_CLIENT_CRL_FILE: a kubernetes.io/tls Secret, and the CA bundle with its
 * CRLs, each in its own directory because
 * Envoy's SDS watches the directory for Kubernetes' atomic updates.
 */
export const ENVOY_TLS_FILES = {
  certificate: '/etc/envoy/tls/tls.crt',
  privateKey: '/etc/envoy/tls/tls.key',
  clientCa: '/etc/envoy/client-ca/ca.crt',
  /** EDGE_CLIENT_CRL_FILE: beside the bundle, so the one watched directory reloads both. */
  clientCrl: '/etc/envoy/client-ca/crl.pem',
  /** envoy/*.yaml, mounted from one ConfigMap. */
  configDirectory: '/etc/envoy/config',
} as const;

export const ENVOY_LISTEN_PORT = 8443;

/** The internal listener (introspection for the bank's API only; routes.ts `internal`): EDGE_INTERNAL_PORT. */
export const ENVOY_INTERNAL_PORT = 8444;

/** Plain-HTTP readiness for probes and `pnpm start`: Envoy's health listener, mirrored by the local edge. */
export const EDGE_HEALTH = { port: 9902, path: '/ready' } as const;
