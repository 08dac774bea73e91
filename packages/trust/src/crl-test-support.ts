import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CertificateAuthority, createCertificateAuthority, issueCrl } from '@psd2/test-pki';
import { trustedCas } from './crl-authorities.js';

/*
 * For the CRL tests: trusted CAs from @psd2/test-pki and a distribution point on 127.0.0.1 whose
 * answer per path each test sets (a CRL, a status, a slow or endless body).
 */

export type Answer = (request: IncomingMessage, response: ServerResponse) => void;

export interface DistributionPointServer {
  readonly base: string;
  readonly answers: Map<string, Answer>;
  close(): Promise<void>;
}

export function serve(body: string | Buffer, contentType = 'application/pkix-crl'): Answer {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
}

export async function startDistributionPoint(): Promise<DistributionPointServer> {
  const answers = new Map<string, Answer>();
  const server: Server = createServer((request, response) => {
    const answer = answers.get(request.url ?? '');
    if (answer === undefined) {
      response.writeHead(404).end();
      return;
    }
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL where nothing listens: a port just released (fetch refuses port 1 as a "bad port"). */
export async function closedUrl(path: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}${path}`;
}

export interface TwoCas {
  readonly alpha: CertificateAuthority;
  readonly beta: CertificateAuthority;
  readonly bundlePem: string;
  /** Distribution-points map: alpha at /alpha.crl, beta at /beta.crl of `base`. */
  distributionPoints(base: string): Record<string, string[]>;
}

export async function twoCas(): Promise<TwoCas> {
  const alpha = await createCertificateAuthority({ commonName: 'Alpha QTSP CA' });
  const beta = await createCertificateAuthority({ commonName: 'Beta QTSP CA' });
  const bundlePem = alpha.certificatePem + beta.certificatePem;
  const [a, b] = trustedCas(bundlePem);
  return {
    alpha,
    beta,
    bundlePem,
    distributionPoints: (base) => ({
      [a?.ski ?? '']: [`${base}/alpha.crl`],
      [b?.subject ?? '']: [`${base}/beta.crl`],
    }),
  };
}

export const HOUR_MS = 3600 * 1000;
export const DAY_MS = 24 * HOUR_MS;

/** A CRL of `ca` issued `ageMs` ago, valid `validMs` from then. */
export function crlOf(ca: CertificateAuthority, ageMs: number, validMs: number, revoked: string[] = []) {
  const thisUpdate = new Date(Date.now() - ageMs);
  return issueCrl(ca, { thisUpdate, nextUpdate: new Date(thisUpdate.getTime() + validMs), revoked });
}
