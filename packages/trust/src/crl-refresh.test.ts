import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createSecureContext, createServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { issueCrl, issueQwac, issueServerCertificate, serialOf } from '@psd2/test-pki';
import { parseCrl } from './crl-check.js';
import { type RefreshCliDeps, runRefresh } from './crl-refresh-cli.js';
import {
  closedUrl,
  crlOf,
  DAY_MS,
  type DistributionPointServer,
  HOUR_MS,
  serve,
  startDistributionPoint,
  type TwoCas,
  twoCas,
} from './crl-test-support.js';
import { x509 } from './crl-x509.js';

/*
 * `pnpm trust refresh-crls` end to end on files: CRLs served on 127.0.0.1, the bundle written where
 * the edge reads it, and the exit code and lines an operator sees.
 */

let cas: TwoCas;
let server: DistributionPointServer;
let dir: string;
let caFile: string;
let outFile: string;
let pointsFile: string;
let lines: { out: string[]; err: string[] };

const PEM_CRL = /-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g;

function deps(): RefreshCliDeps {
  return {
    fetch: globalThis.fetch,
    now: () => new Date(),
    out: (line) => lines.out.push(line),
    err: (line) => lines.err.push(line),
  };
}

function refresh(...extra: string[]) {
  return runRefresh(
    ['--ca-file', caFile, '--out', outFile, '--distribution-points', pointsFile, '--timeout', '2', ...extra],
    {},
    deps(),
  );
}

function outcomeOf(label: string): string | undefined {
  return lines.out.find((line) => line.includes(`ca="${label}"`))?.split(' ')[0];
}

/** The CRLs of a bundle, decoded whole by @peculiar/x509: a parser independent of the one under test. */
function crlsIn(text: string) {
  return (text.match(PEM_CRL) ?? []).map((block) => new x509.X509Crl(block));
}

beforeAll(async () => {
  cas = await twoCas();
  server = await startDistributionPoint();
});
afterAll(() => server.close());

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crl-refresh-'));
  caFile = join(dir, 'ca.crt');
  outFile = join(dir, 'crl.pem');
  pointsFile = join(dir, 'distribution-points.json');
  await writeFile(caFile, cas.bundlePem);
  await writeFile(pointsFile, JSON.stringify(cas.distributionPoints(server.base)));
  server.answers.clear();
  lines = { out: [], err: [] };
  return () => rm(dir, { recursive: true, force: true });
});

/** A TLS handshake against a server that trusts the two CAs and checks the file's CRLs, as the local edge does. */
async function handshake(crlPem: string, client: { certificatePem: string; privateKeyPem: string }) {
  const serverCertificate = await issueServerCertificate(cas.alpha, { dnsNames: ['localhost'] });
  const tlsServer = createServer({
    cert: serverCertificate.certificatePem,
    key: serverCertificate.privateKeyPem,
    ca: cas.bundlePem,
    crl: crlPem.match(PEM_CRL) ?? [],
    requestCert: true,
    rejectUnauthorized: false,
  });
  const verdict = new Promise<string>((resolve) =>
    tlsServer.on('secureConnection', (socket: TLSSocket) => {
      resolve(socket.authorized ? 'authorized' : String(socket.authorizationError));
      socket.end();
    }),
  );
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const port = (tlsServer.address() as { port: number }).port;
  const socket = connect({
    port,
    host: '127.0.0.1',
    ca: cas.alpha.certificatePem,
    servername: 'localhost',
    cert: client.certificatePem,
    key: client.privateKeyPem,
  });
  socket.on('error', () => undefined);
  const result = await verdict;
  socket.destroy();
  await new Promise((resolve) => tlsServer.close(resolve));
  return result;
}

describe('refresh-crls', () => {
  it('writes a CRL of every CA that the edge accepts, and refuses the revoked QWAC with it', async () => {
    const revoked = await issueQwac(cas.alpha, { organizationName: 'Revoked TPP' });
    const reissued = await issueQwac(cas.alpha, { organizationName: 'Revoked TPP' });
    server.answers.set(
      '/alpha.crl',
      serve(await crlOf(cas.alpha, HOUR_MS, DAY_MS, [serialOf(revoked.certificatePem)])),
    );
    // Beta publishes DER, as most QTSPs do.
    const betaPem = await crlOf(cas.beta, HOUR_MS, DAY_MS);
    server.answers.set('/beta.crl', serve(parseCrl(Buffer.from(betaPem)).der));

    expect(await refresh()).toBe(0);
    expect([outcomeOf('Alpha QTSP CA'), outcomeOf('Beta QTSP CA')]).toEqual(['refreshed', 'refreshed']);
    const written = await readFile(outFile, 'utf8');
    const crls = crlsIn(written);
    expect(crls.map((crl) => crl.issuer)).toEqual([cas.alpha.name, cas.beta.name]);
    expect(crls[0]?.findRevoked(serialOf(revoked.certificatePem))).not.toBeNull();
    // OpenSSL parses every block (what the local edge's client-crl.ts does at start and reload).
    for (const block of written.match(PEM_CRL) ?? [])
      expect(() => createSecureContext({ crl: block })).not.toThrow();
    expect(await handshake(written, revoked)).toBe('CERT_REVOKED');
    expect(await handshake(written, reissued)).toBe('authorized');
    expect(lines.out.at(-1)).toContain(`outcome=ok cas=2 written=${outFile}`);
    // CRL times are whole seconds: the figures may be one second off the round numbers.
    expect(lines.out[0]).toMatch(
      /thisUpdate=\S+Z nextUpdate=\S+Z age=360[01]s expires_in=8(2800|2799)s source=http:\/\/127/,
    );
  });

  it('does not rewrite an unchanged bundle, so the edge does not reload for nothing', async () => {
    server.answers.set('/alpha.crl', serve(await crlOf(cas.alpha, HOUR_MS, DAY_MS)));
    server.answers.set('/beta.crl', serve(await crlOf(cas.beta, HOUR_MS, DAY_MS)));
    expect(await refresh()).toBe(0);
    const first = await stat(outFile);
    lines = { out: [], err: [] };
    expect(await refresh()).toBe(0);
    expect([outcomeOf('Alpha QTSP CA'), outcomeOf('Beta QTSP CA')]).toEqual(['current', 'current']);
    expect((await stat(outFile)).mtimeMs).toBe(first.mtimeMs);
    expect(lines.out.at(-1)).toContain(`unchanged=${outFile}`);
  });

  it('replaces the file by a rename (never written in place) and leaves no temporary file', async () => {
    await writeFile(outFile, await crlOf(cas.alpha, 2 * HOUR_MS, DAY_MS));
    const before = await stat(outFile);
    server.answers.set('/alpha.crl', serve(await crlOf(cas.alpha, HOUR_MS, DAY_MS)));
    server.answers.set('/beta.crl', serve(await crlOf(cas.beta, HOUR_MS, DAY_MS)));
    expect(await refresh()).toBe(0);
    expect((await stat(outFile)).ino).not.toBe(before.ino);
    expect((await readdir(dir)).sort()).toEqual(['ca.crt', 'crl.pem', 'distribution-points.json']);
  });

  describe('keeps the CRL in force, exit 0 with a warning, when the fetched one is not acceptable', () => {
    let inForce: string;
    beforeEach(async () => {
      inForce = await crlOf(cas.alpha, 2 * HOUR_MS, DAY_MS);
      await writeFile(outFile, inForce + (await crlOf(cas.beta, HOUR_MS, DAY_MS)));
      server.answers.set('/beta.crl', serve(await crlOf(cas.beta, HOUR_MS, DAY_MS)));
    });

    async function expectKept(problem: RegExp) {
      expect(await refresh()).toBe(0);
      expect(outcomeOf('Alpha QTSP CA')).toBe('kept');
      expect(lines.out[0]).toContain('source=previous bundle');
      expect(lines.err.join('\n')).toMatch(problem);
      expect(crlsIn(await readFile(outFile, 'utf8'))[0]?.rawData).toEqual(crlsIn(inForce)[0]?.rawData);
    }

    it('a CRL signed by another key (forged)', async () => {
      const forger = await twoCas();
      const forged = await issueCrl(cas.alpha, { signingKey: forger.alpha.keys.privateKey });
      server.answers.set('/alpha.crl', serve(forged));
      await expectKept(/warning ca="Alpha QTSP CA" http:\S+ has a signature this CA's key does not verify/);
    });

    it("another CA's CRL", async () => {
      server.answers.set('/alpha.crl', serve(await crlOf(cas.beta, HOUR_MS, DAY_MS)));
      await expectKept(/is issued by ".*Beta QTSP CA", not by this CA/);
    });

    it('a stale CRL (nextUpdate passed)', async () => {
      server.answers.set('/alpha.crl', serve(await crlOf(cas.alpha, 2 * DAY_MS, DAY_MS)));
      await expectKept(/is stale \(nextUpdate .* has passed\)/);
    });

    it('a CRL older than the one in force (a replay)', async () => {
      server.answers.set('/alpha.crl', serve(await crlOf(cas.alpha, 3 * HOUR_MS, DAY_MS)));
      await expectKept(/is not newer than the CRL in force/);
    });

    it('a CRL dated in the future', async () => {
      server.answers.set('/alpha.crl', serve(await crlOf(cas.alpha, -HOUR_MS, DAY_MS)));
      await expectKept(/has thisUpdate .* in the future/);
    });

    it('something that is not a CRL', async () => {
      server.answers.set('/alpha.crl', serve('<html>maintenance</html>', 'text/html'));
      await expectKept(/is not a CRL/);
    });

    it('an HTTP error', async () => {
      server.answers.set('/alpha.crl', (_request, response) => response.writeHead(503).end());
      await expectKept(/answered HTTP 503/);
    });
  });

  describe('when no fresh CRL can be had', () => {
    it('reports the CA stale but exits 0 while within the grace, keeping the expired CRL in the file', async () => {
      const expired = await crlOf(cas.alpha, DAY_MS + HOUR_MS, DAY_MS);
      await writeFile(outFile, expired);
      server.answers.set('/beta.crl', serve(await crlOf(cas.beta, HOUR_MS, DAY_MS)));
      // /alpha.crl is not answered: 404.
      expect(await refresh('--grace', '6h')).toBe(0);
      expect(outcomeOf('Alpha QTSP CA')).toBe('stale');
      expect(lines.out[0]).toMatch(/expires_in=-360[01]s/);
      expect(lines.err.join('\n')).toMatch(
        /warning ca="Alpha QTSP CA" CRL past nextUpdate: the edge refuses/,
      );
      expect(crlsIn(await readFile(outFile, 'utf8')).map((crl) => crl.issuer)).toEqual([
        cas.alpha.name,
        cas.beta.name,
      ]);
    });

    it('fails closed beyond the grace: exit 1, the stale CRL stays so the edge keeps refusing', async () => {
      await writeFile(outFile, await crlOf(cas.alpha, DAY_MS + 2 * HOUR_MS, DAY_MS));
      server.answers.set('/beta.crl', serve(await crlOf(cas.beta, HOUR_MS, DAY_MS)));
      expect(await refresh('--grace', '3600')).toBe(1);
      expect(outcomeOf('Alpha QTSP CA')).toBe('failed-closed');
      expect(lines.err.join('\n')).toContain(
        'error ca="Alpha QTSP CA" failed closed: CRL stale beyond the grace',
      );
      expect(lines.out.at(-1)).toContain('outcome=failed_closed');
      expect(crlsIn(await readFile(outFile, 'utf8')).map((crl) => crl.issuer)).toEqual([
        cas.alpha.name,
        cas.beta.name,
      ]);
    });

    it('fails closed for a CA that never had a CRL, and still writes the others', async () => {
      const closed = await closedUrl('/alpha.crl');
      await writeFile(
        pointsFile,
        JSON.stringify(
          Object.fromEntries(
            Object.entries(cas.distributionPoints(server.base)).map(([key, urls]) => [
              key,
              urls[0]?.endsWith('/alpha.crl') ? [closed] : urls,
            ]),
          ),
        ),
      );
      server.answers.set('/beta.crl', serve(await crlOf(cas.beta, HOUR_MS, DAY_MS)));
      expect(await refresh()).toBe(1);
      expect(outcomeOf('Alpha QTSP CA')).toBe('failed-closed');
      expect(lines.err.join('\n')).toMatch(
        /error ca="Alpha QTSP CA" http:\/\/127.0.0.1:\d+\/alpha.crl is unreachable \(ECONNREFUSED\)/,
      );
      expect(crlsIn(await readFile(outFile, 'utf8')).map((crl) => crl.issuer)).toEqual([cas.beta.name]);
    });

    it('writes nothing when no CA has a CRL at all', async () => {
      expect(await refresh()).toBe(1);
      expect(lines.err.join('\n')).toContain(`no CA has a CRL: ${outFile} left as it is`);
      await expect(stat(outFile)).rejects.toThrow('ENOENT');
    });
  });
});
