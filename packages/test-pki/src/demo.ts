import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INTERNAL_SERVICES, type InternalPki, internalLayout, issueInternalPki } from './internal.js';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  type IssuedCertificate,
  issueQwac,
  issueServerCertificate,
  type QwacOptions,
} from './issue.js';
import { issueOperatorPki, type OperatorPki, operatorLayout } from './operator.js';
import type { Psd2Role } from './qc-statements.js';

/*
 * The demo PKI that `pnpm pki` and `pnpm start` write: one trusted test QTSP CA, the edge's server
 * certificate, a QWAC per role and per organisation, and one certificate for each refusal the server
 * must make. Laid out as plain PEM files so curl, Envoy and Node read them as they are.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** What each demo QWAC is for; the names are the file names (`<name>.crt`, `<name>.key`). */
export const DEMO_QWACS = {
  /** Organisation A with several roles: the everyday demo client. */
  'tpp-a': {
    organizationIdentifier: 'PSDFR-ACPR-12345',
    organizationName: 'Demo TPP A',
    roles: ['PSP_AI', 'PSP_PI', 'PSP_IC'],
  },
  /** Organisation A again, renewed: new key and validity, same organizationIdentifier. */
  'tpp-a-renewed': {
    organizationIdentifier: 'PSDFR-ACPR-12345',
    organizationName: 'Demo TPP A',
    roles: ['PSP_AI', 'PSP_PI', 'PSP_IC'],
  },
  /** A second organisation, for "same organisation" checks (RFC 7592 management, token binding). */
  'tpp-b': {
    organizationIdentifier: 'PSDBE-NBB-0123456789',
    organizationName: 'Demo TPP B',
    roles: ['PSP_AI'],
    ncaId: 'BE-NBB',
    ncaName: 'National Bank of Belgium',
    countryName: 'BE',
  },
  'psp-ai': { organizationIdentifier: 'PSDFR-ACPR-20001', organizationName: 'Demo AISP', roles: ['PSP_AI'] },
  'psp-pi': { organizationIdentifier: 'PSDFR-ACPR-20002', organizationName: 'Demo PISP', roles: ['PSP_PI'] },
  'psp-ic': { organizationIdentifier: 'PSDFR-ACPR-20003', organizationName: 'Demo CBPII', roles: ['PSP_IC'] },
  /** The bank's own resource server (ASPSP), allowed to introspect. */
  'psp-as': {
    organizationIdentifier: 'PSDFR-ACPR-10000',
    organizationName: 'Demo Bank API',
    roles: ['PSP_AS'],
  },
  /** Another bank's API: a valid PSP_AS QWAC of an organisation not allowed to introspect here. */
  'psp-as-other': {
    organizationIdentifier: 'PSDDE-BAFIN-100001',
    organizationName: 'Other Bank API',
    roles: ['PSP_AS'],
    ncaId: 'DE-BAFIN',
    ncaName: 'Federal Financial Supervisory Authority',
    countryName: 'DE',
  },
  expired: { organizationIdentifier: 'PSDFR-ACPR-30001', organizationName: 'Expired TPP', roles: ['PSP_AI'] },
  'not-yet-valid': {
    organizationIdentifier: 'PSDFR-ACPR-30002',
    organizationName: 'Future TPP',
    roles: ['PSP_AI'],
  },
  /** A QSealC: a qualified seal, not marked for website authentication. */
  qseal: {
    organizationIdentifier: 'PSDFR-ACPR-30003',
    organizationName: 'Seal TPP',
    roles: ['PSP_AI'],
    qcTypes: ['eseal'],
  },
  'no-psd2': {
    organizationIdentifier: 'PSDFR-ACPR-30004',
    organizationName: 'Non-PSD2 Company',
    roles: ['PSP_AI'],
    psd2Statement: false,
  },
  'bad-org-id': {
    organizationIdentifier: 'VATFR-12345678901',
    organizationName: 'Wrong Id TPP',
    roles: ['PSP_AI'],
  },
  /** Valid in every respect except that an untrusted CA signed it. */
  untrusted: {
    organizationIdentifier: 'PSDFR-ACPR-30005',
    organizationName: 'Untrusted TPP',
    roles: ['PSP_AI'],
  },
} as const satisfies Record<string, QwacOptions & { roles: readonly Psd2Role[] }>;

export type DemoQwacName = keyof typeof DEMO_QWACS;

export interface CertificateFiles {
  readonly cert: string;
  readonly key: string;
}

export interface DemoQwacFiles extends CertificateFiles {
  readonly organizationIdentifier: string;
  readonly roles: readonly Psd2Role[];
}

export interface DemoPki {
  readonly dir: string;
  /** The trusted test QTSP CA; also the bundle for `EDGE_CLIENT_CA_FILE` and curl's `--cacert`. */
  readonly ca: CertificateFiles;
  readonly clientCaBundle: string;
  /** The edge's server certificate for localhost, 127.0.0.1 and ::1. */
  readonly server: CertificateFiles;
  /** A CA nobody trusts; it signed the `untrusted` QWAC. */
  readonly untrustedCa: CertificateFiles;
  readonly qwacs: Readonly<Record<DemoQwacName, DemoQwacFiles>>;
  /** The operators' CA and certificates for the registry's admin API (operator.ts). */
  readonly operators: OperatorPki;
  /** The internal CA, the services' server certificates and the edge's client certificate (internal.ts). */
  readonly internal: InternalPki;
}

const MANIFEST = 'pki.json';
/** Regenerate well before anything expires, so a demo never fails on a date. */
const RENEW_MARGIN_MS = 30 * DAY_MS;

function layout(dir: string): DemoPki {
  const files = (name: string): CertificateFiles => ({
    cert: join(dir, `${name}.crt`),
    key: join(dir, `${name}.key`),
  });
  // Filled for every key just below, which is what makes the type assertion true.
  const qwacs = {} as Record<DemoQwacName, DemoQwacFiles>;
  for (const name of Object.keys(DEMO_QWACS) as DemoQwacName[]) {
    const spec = DEMO_QWACS[name];
    qwacs[name] = { ...files(name), organizationIdentifier: spec.organizationIdentifier, roles: spec.roles };
  }
  return {
    dir,
    ca: files('ca'),
    clientCaBundle: join(dir, 'ca.crt'),
    server: files('server'),
    untrustedCa: files('untrusted-ca'),
    qwacs,
    operators: operatorLayout(dir),
    internal: internalLayout(dir),
  };
}

async function stillUsable(pki: DemoPki, now: number): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(join(pki.dir, MANIFEST), 'utf8')) as { version?: number };
    if (manifest.version !== MANIFEST_VERSION) return false;
    const longLived = [
      pki.ca.cert,
      pki.server.cert,
      pki.qwacs['tpp-a'].cert,
      pki.qwacs['tpp-a-renewed'].cert,
      pki.operators.operator.cert,
      pki.operators.server.cert,
      pki.internal.edge.cert,
      pki.internal.services.token.cert,
    ];
    for (const file of longLived) {
      const certificate = new X509Certificate(await readFile(file));
      if (Date.parse(certificate.validTo) - now < RENEW_MARGIN_MS) return false;
    }
    const pairs = [pki.ca, pki.server, pki.untrustedCa, ...Object.values(pki.qwacs)];
    const { internal } = pki;
    const internalPairs = [internal.ca, internal.edge, internal.notEdge, ...Object.values(internal.services)];
    for (const { key } of [...pairs, ...Object.values(pki.operators), ...internalPairs]) await readFile(key);
    return true;
  } catch {
    return false;
  }
}

/** Bump when the layout or the certificates' contents change, so old demo folders are rewritten. */
const MANIFEST_VERSION = 4;

async function writeAtomically(path: string, contents: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

async function writePair(files: CertificateFiles, issued: IssuedCertificate): Promise<void> {
  await writeAtomically(files.cert, issued.certificatePem, 0o644);
  await writeAtomically(files.key, issued.privateKeyPem, 0o600);
}

function qwacOptions(name: DemoQwacName, now: number): QwacOptions {
  const spec: QwacOptions = DEMO_QWACS[name];
  switch (name) {
    case 'expired':
      return { ...spec, notBefore: new Date(now - 400 * DAY_MS), notAfter: new Date(now - DAY_MS) };
    case 'not-yet-valid':
      return { ...spec, notBefore: new Date(now + 30 * DAY_MS), notAfter: new Date(now + 400 * DAY_MS) };
    case 'tpp-a-renewed':
      return { ...spec, notBefore: new Date(now - 60 * 1000), notAfter: new Date(now + 2 * 365 * DAY_MS) };
    default:
      return spec;
  }
}

/** Writes a complete demo PKI into `dir`, replacing whatever is there. Not locked: see ensureDemoPki. */
export async function writeDemoPki(dir: string): Promise<DemoPki> {
  const pki = layout(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const now = Date.now();
  const ca = await createCertificateAuthority();
  const untrustedCa = await createCertificateAuthority({
    commonName: 'Untrusted Test CA',
    organizationName: 'Nobody Trusts Me',
  });
  await writePair(pki.ca, ca);
  await writePair(pki.untrustedCa, untrustedCa);
  await writePair(pki.server, await issueServerCertificate(ca));
  for (const name of Object.keys(DEMO_QWACS) as DemoQwacName[]) {
    const issuer: CertificateAuthority = name === 'untrusted' ? untrustedCa : ca;
    await writePair(pki.qwacs[name], await issueQwac(issuer, qwacOptions(name, now)));
  }
  const operators = await issueOperatorPki(untrustedCa);
  for (const name of Object.keys(operators) as (keyof OperatorPki)[])
    await writePair(pki.operators[name], operators[name]);
  const internal = await issueInternalPki();
  for (const name of ['ca', 'edge', 'notEdge'] as const) await writePair(pki.internal[name], internal[name]);
  for (const name of INTERNAL_SERVICES) await writePair(pki.internal.services[name], internal.services[name]);
  await writeAtomically(
    join(dir, MANIFEST),
    `${JSON.stringify({ version: MANIFEST_VERSION, createdAt: new Date(now).toISOString() }, null, 2)}\n`,
    0o644,
  );
  return pki;
}

/** A lock older than this belongs to a process that died while writing. */
const STALE_LOCK_MS = 30_000;

/**
 * Serialises writers of one directory across processes (parallel test workers, `pnpm start` and
 * `pnpm pki` at once): without it, two writers could leave a CA from one and QWACs from the other.
 */
async function withLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock');
  for (;;) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lock).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await rm(lock, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Returns the demo PKI in `dir`, writing it first when it is missing, incomplete, from an older layout,
 * or close to expiry. Cheap when the files are there: it reads a few certificates and issues nothing.
 * Safe to call from several processes at once. `force` rewrites it in any case (`pnpm pki --force`).
 */
export async function ensureDemoPki(
  dir: string,
  options: { readonly force?: boolean } = {},
): Promise<DemoPki & { readonly created: boolean }> {
  const pki = layout(dir);
  const force = options.force === true;
  if (!force && (await stillUsable(pki, Date.now()))) return { ...pki, created: false };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return withLock(dir, async () => {
    // Another process may have written it while we waited for the lock.
    if (!force && (await stillUsable(pki, Date.now()))) return { ...pki, created: false };
    return { ...(await writeDemoPki(dir)), created: true };
  });
}
