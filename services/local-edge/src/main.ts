import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@psd2/config';
import { publicIssuer } from '@psd2/edge-config';
import { createLogger } from '@psd2/logging';
import { armHardExit, DRAIN_BUDGET_MS, settleWithin, shutdownTelemetry } from '@psd2/telemetry';
import { demoCurlCommand, ensureDemoPki } from '@psd2/test-pki';
import { startLocalEdge } from './edge.js';
import { localEdgeSchema } from './settings.js';

/*
 * Composition root of the local edge. TLS files come from EDGE_TLS_CERT_FILE, EDGE_TLS_KEY_FILE,
 * EDGE_CLIENT_CA_FILE and, towards the services, UPSTREAM_TLS_CERT_FILE, UPSTREAM_TLS_KEY_FILE and
 * UPSTREAM_CA_FILE; whichever is unset comes from the demo PKI (written on first run under the
 * git-ignored .local/pki), so that `pnpm start` works on a fresh clone and still honours a bank's own files.
 */

const config = loadConfig(localEdgeSchema, { processName: 'local-edge' });
const logger = createLogger({ name: 'local-edge', level: config.LOG_LEVEL });
const issuer = publicIssuer(config);

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const needsDemo =
  config.EDGE_TLS_CERT_FILE === undefined ||
  config.EDGE_TLS_KEY_FILE === undefined ||
  config.EDGE_CLIENT_CA_FILE === undefined ||
  config.UPSTREAM_TLS_CERT_FILE === undefined ||
  config.UPSTREAM_TLS_KEY_FILE === undefined ||
  config.UPSTREAM_CA_FILE === undefined;
const demo = needsDemo
  ? await ensureDemoPki(resolve(repositoryRoot, config.DEMO_PKI_DIR ?? '.local/pki'))
  : undefined;
if (demo !== undefined) {
  logger.info(
    { dir: demo.dir, created: demo.created },
    'using the demo PKI for the TLS files not configured',
  );
}

const edge = await startLocalEdge({
  host: config.EDGE_HOST,
  port: config.EDGE_PORT,
  tls: {
    certFile: config.EDGE_TLS_CERT_FILE ?? demo?.server.cert ?? '',
    keyFile: config.EDGE_TLS_KEY_FILE ?? demo?.server.key ?? '',
    clientCaFile: config.EDGE_CLIENT_CA_FILE ?? demo?.clientCaBundle ?? '',
    crlFile: config.EDGE_CLIENT_CRL_FILE,
  },
  upstreams: {
    registration: config.REGISTRATION_UPSTREAM,
    authorization: config.AUTHORIZATION_UPSTREAM,
    token: config.TOKEN_UPSTREAM,
    revocation: config.REVOCATION_UPSTREAM,
  },
  upstreamTls: {
    certFile: config.UPSTREAM_TLS_CERT_FILE ?? demo?.internal.edge.cert ?? '',
    keyFile: config.UPSTREAM_TLS_KEY_FILE ?? demo?.internal.edge.key ?? '',
    caFile: config.UPSTREAM_CA_FILE ?? demo?.internal.ca.cert ?? '',
  },
  logger,
  healthPort: config.EDGE_HEALTH_PORT,
  internalPort: config.EDGE_INTERNAL_PORT,
});
logger.info(
  { url: edge.url, internal: edge.internalUrl, health: edge.healthUrl, issuer },
  'local edge listening',
);
if (demo !== undefined && config.EDGE_CLIENT_CA_FILE === undefined) {
  logger.info(
    { curl: demoCurlCommand({ pki: demo, issuer, cwd: repositoryRoot }) },
    'try it with a demo QWAC (run from the repository root)',
  );
}

// A rotated server certificate or CA bundle: `kill -HUP <pid>` applies it to new connections (a changed
// EDGE_CLIENT_CRL_FILE needs no signal: the edge watches it).
process.on('SIGHUP', () => {
  edge
    .reloadTls()
    .catch((error: unknown) => logger.error({ err: error }, 'TLS reload failed; keeping the old files'));
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    armHardExit(DRAIN_BUDGET_MS, () => logger.error('shutdown over its budget: exiting now'));
    logger.info({ signal }, 'local edge stopping');
    // Connections still busy after the drain budget are cut by the exit.
    let exitCode = 0;
    const closing = edge.close().catch((error: unknown) => {
      logger.error({ err: error }, 'local edge did not close cleanly');
      exitCode = 1;
    });
    void settleWithin(closing, DRAIN_BUDGET_MS)
      .then(() => shutdownTelemetry())
      .finally(() => {
        logger.flush();
        process.exit(exitCode);
      });
  });
}
