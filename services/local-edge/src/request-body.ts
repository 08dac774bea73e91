import type http from 'node:http';
import { EDGE_LIMITS } from '@psd2/edge-config';

/**
 * Envoy's buffer filter: the whole body is read first, and refused above the limit before any upstream
 * work. Undefined: over the limit (the rest is drained, not kept).
 */
export function readBody(request: http.IncomingMessage): Promise<Buffer | undefined> {
  const limit = EDGE_LIMITS.maxRequestBodyBytes;
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) {
    request.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    // A client that hangs up mid-body emits neither 'end' nor always 'error'.
    request.on('close', () => {
      if (!request.complete) reject(new Error('client closed the connection during the request body'));
    });
  });
}
