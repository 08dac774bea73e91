import { formatXfccElement } from '@psd2/certificates';
import { Agent } from 'undici';

/** The edge's client certificate towards the services and the internal CA of theirs (PEM). */
export interface EdgeIdentity {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

/**
 * Keep-alive connections straight to a service, presenting a certificate the way the edge forwards it:
 * TLS with the edge's own client certificate (the only connection a service reads the header on) and
 * an XFCC header. The services' own cost without the edge's, TLS to the service included.
 */
export function xfccAgent(certificatePem: string, connections: number, edge: EdgeIdentity): Agent {
  const xfcc = formatXfccElement({ hash: 'bench', cert: certificatePem });
  return new Agent({
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    connect: { cert: edge.cert, key: edge.key, ca: edge.ca },
  }).compose(
    (dispatch) => (options, handler) =>
      dispatch(
        {
          ...options,
          headers: { ...(options.headers as Record<string, string>), 'x-forwarded-client-cert': xfcc },
        },
        handler,
      ),
  ) as unknown as Agent;
}
