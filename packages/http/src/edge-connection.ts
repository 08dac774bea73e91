import type { Socket } from 'node:net';

/*
 * Which connections the edge opened. The service listener marks a TLS connection once its client
 * certificate has been checked to be the edge's (edge-peer.ts); the endpoint layer reads the mark, and
 * x-forwarded-client-cert is believed only on a marked connection. Never decided by peer address.
 */
const edgeConnections = new WeakSet<Socket>();

/** Records that this connection is the edge's: its XFCC header speaks for the TPP. */
export function markEdgeConnection(socket: Socket): void {
  edgeConnections.add(socket);
}

export function isEdgeConnection(socket: Socket): boolean {
  return edgeConnections.has(socket);
}
