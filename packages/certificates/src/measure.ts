import { createCertificateAuthority, issueQwac, type KeyAlgorithm } from '@psd2/test-pki';
import { parseQwac } from './qwac.js';
import { createClientCertificateResolver } from './resolver.js';
import { formatXfccElement } from './xfcc.js';

/*
 * `pnpm --filter @psd2/certificates measure`: what the identity caches save per request. Compares a full
 * parse of a QWAC (what a certificate seen for the first time costs), a resolve of a new header carrying
 * a known certificate (two headers alternating in a header cache of one: XFCC parse, PEM decode,
 * SHA-256, certificate cache hit) and a resolve of a known header (edge-connection check, LRU hit,
 * validity check). CPU time per call, the best of seven rounds, so that other processes on the machine
 * weigh less; still not a test: numbers depend on the machine.
 */

const ROUNDS = 7;

function microseconds(run: () => unknown, iterations: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.cpuUsage();
    for (let i = 0; i < iterations; i++) run();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / iterations);
  }
  return best;
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
  const request = { fromEdge: true, header };
  const resolver = createClientCertificateResolver();
  const forgetful = createClientCertificateResolver({ cacheSize: 1 });
  const alternating = [request, { ...request, header: header.replace('Hash=00', 'Hash=01') }];
  let turn = 0;
  const parse = microseconds(() => parseQwac(qwac.certificatePem), 300);
  const newHeader = microseconds(() => forgetful.resolve(alternating[turn++ % 2] ?? request), 3_000);
  const hit = microseconds(() => resolver.resolve(request), 100_000);
  console.log(
    `${keyAlgorithm}: parse ${parse.toFixed(1)} µs, new header ${newHeader.toFixed(1)} µs, known header ${hit.toFixed(2)} µs (header ${header.length} bytes)`,
  );
}
