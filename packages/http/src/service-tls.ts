import { X509Certificate } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { createSecureContext, type SecureContextOptions, type TLSSocket } from 'node:tls';
import type { Logger } from '@psd2/logging';
import type { Express } from 'express';
import { markEdgeConnection } from './edge-connection.js';
import { edgeConnectionRefusal } from './edge-peer.js';

/** TLS_CERT_FILE, TLS_KEY_FILE, EDGE_PEER_CA_FILE (PEM) and EDGE_PEER_NAMES, as parsed at start-up. */
export interface EdgeTlsSettings {
  readonly certFile: string;
  readonly keyFile: string;
  /** The internal CA that issues the edge's client certificate. */
  readonly edgePeerCaFile: string;
  /** DNS or URI SANs of which the edge's certificate must carry one. */
  readonly edgePeerNames: readonly string[];
}

/** The files read and checked, ready for a listener: what `startHttpServer` needs to speak TLS. */
export interface EdgeTls {
  readonly settings: EdgeTlsSettings;
  readonly context: SecureContextOptions;
}

/**
 * Envoy's upstream TLS defaults to at most TLS 1.2 as a client, so 1.2 stays allowed; nothing older.
 * The CA is the internal one only: no public or QTSP CA can vouch for the edge.
 */
const POLICY = { minVersion: 'TLSv1.2', honorCipherOrder: true } as const;

/**
 * Reads the three files and proves they make a TLS context, so a broken or mismatched pair stops
 * start-up with one line instead of failing every handshake later.
 */
export async function loadEdgeTls(settings: EdgeTlsSettings): Promise<EdgeTls> {
  const [cert, key, ca] = await Promise.all([
    readFile(settings.certFile),
    readFile(settings.keyFile),
    readFile(settings.edgePeerCaFile),
  ]);
  try {
    new X509Certificate(ca);
  } catch (error) {
    throw new Error(`EDGE_PEER_CA_FILE holds no PEM certificate (${(error as Error).message})`);
  }
  const context = { cert, key, ca, ...POLICY };
  try {
    createSecureContext(context);
  } catch (error) {
    throw new Error(
      `TLS_CERT_FILE and TLS_KEY_FILE do not make a TLS server identity (${(error as Error).message})`,
    );
  }
  return { settings, context };
}

/**
 * The service's HTTPS server: the handshake requires a client certificate from EDGE_PEER_CA_FILE,
 * and once it completes, a certificate that is not the edge's (edge-peer.ts) has its connection
 * destroyed before any request on it is read. Every connection left standing is marked as the edge's.
 */
export function createEdgeOnlyServer(
  app: Express,
  tls: EdgeTls,
  options: { readonly maxHeaderSize: number; readonly logger: Logger; readonly reloadIntervalMs?: number },
): https.Server {
  const server = https.createServer(
    { ...tls.context, requestCert: true, rejectUnauthorized: true, maxHeaderSize: options.maxHeaderSize },
    app,
  );
  // Ahead of the HTTP parser's own listener, so that a refused connection never reaches it.
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    socket.disableRenegotiation();
    const refusal = edgeConnectionRefusal(socket, tls.settings.edgePeerNames);
    if (refusal === undefined) {
      markEdgeConnection(socket);
      return;
    }
    options.logger.warn(
      { reason: refusal, remote_address: socket.remoteAddress },
      'not the edge: connection refused',
    );
    socket.destroy();
  });
  server.on('tlsClientError', (error, socket) => {
    options.logger.info(
      { reason: error.message, remote_address: socket.remoteAddress },
      'TLS handshake refused',
    );
  });
  const stopWatching = watchEdgeTls(server, tls.settings, options.logger, options.reloadIntervalMs);
  server.once('close', stopWatching);
  return server;
}

/**
 * Re-reads the files whenever one changes (cert-manager renews them by rewriting the mounted Secret)
 * and applies them to new connections; a broken set is logged and the one in force kept. Polling, as
 * the local edge does for its CRL file: fs.watch loses a file renamed over. Returns the stop function.
 */
function watchEdgeTls(
  server: https.Server,
  settings: EdgeTlsSettings,
  logger: Logger,
  intervalMs = 1000,
): () => void {
  const reload = () => {
    loadEdgeTls(settings).then(
      (tls) => {
        server.setSecureContext(tls.context);
        logger.info('TLS files reloaded');
      },
      (error: unknown) => logger.error({ err: error }, 'TLS reload failed; keeping the files in force'),
    );
  };
  const files = [settings.certFile, settings.keyFile, settings.edgePeerCaFile];
  for (const file of files) watchFile(file, { interval: intervalMs, persistent: false }, reload);
  return () => {
    for (const file of files) unwatchFile(file, reload);
  };
}
