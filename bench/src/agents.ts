import { formatXfccElement } from '@psd2/certificates';
import { Agent } from 'undici';

/**
 * Keep-alive connections straight to a service over plain HTTP, presenting a certificate the way the
 * edge forwards it (an XFCC header from loopback, which the services trust): the services' own cost
 * without the edge's.
 */
export function xfccAgent(certificatePem: string, connections: number): Agent {
  const xfcc = formatXfccElement({ hash: 'bench', cert: certificatePem });
  return new Agent({ connections, pipelining: 1, keepAliveTimeout: 60_000 }).compose(
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
