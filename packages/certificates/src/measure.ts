import { createCertificateAuthority, issueQwac, type KeyAlgorithm } from '@psd2/test-pki';
import { parseQwac } from './qwac.js';
import { createClientCertificateResolver } from './resolver.js';
import { formatXfccElement } from './xfcc.js';

/*
 * `pnpm --filter @psd2/certificates measure`: what the identity cache saves per request. Compares a full
 * parse of a QWAC with the cached path from the raw XFCC header (trusted-proxy check, XFCC parse, PEM
 * decode, SHA-256, LRU hit, validity check). Not a test: numbers depend on the machine.
 */

const ITERATIONS = 20_000;

function microseconds(run: () => unknown): number {
  for (let i = 0; i < 2_000; i++) run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) run();
  return Number(process.hrtime.bigint() - started) / ITERATIONS / 1_000;
}

const ca = await createCertificateAuthority();
for (const keyAlgorithm of ['ECDSA-P256', 'RSA-2048'] as KeyAlgorithm[]) {
  const qwac = await issueQwac(ca, { roles: ['PSP_AI', 'PSP_PI', 'PSP_IC'], keyAlgorithm });
  const header = formatXfccElement({
    hash: '00',
    cert: qwac.certificatePem,
    subject: 'CN=x',
    dns: ['tpp.example'],
  });
  const request = { remoteAddress: '127.0.0.1', header };
  const resolver = createClientCertificateResolver();
  const parse = microseconds(() => parseQwac(qwac.certificatePem));
  const cached = microseconds(() => resolver.resolve(request));
  console.log(
    `${keyAlgorithm}: parse ${parse.toFixed(1)} µs, cached resolve ${cached.toFixed(1)} µs (header ${header.length} bytes)`,
  );
}
