import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { issueCrl, loadCertificateAuthority } from './crl.js';
import { demoCurlCommand } from './curl.js';
import { ensureDemoPki } from './demo.js';

/*
 * `pnpm pki [--dir .local/pki] [--force]`: writes the demo PKI (test CA, edge server certificate,
 * QWACs for every role and every refusal, the operator CA and certificates of the admin API). Without --force an existing, still valid PKI is kept, so
 * certificates already handed to a TPP simulator or a browser keep working. `--crl` also writes the
 * demo CA's current CRL (revoking nothing, valid 7 days) to ca-crl.pem: an edge given CRLs refuses
 * every client of a CA without a current one (docs/edge.md), so a sandbox edge needs it refreshed.
 */

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '.local/pki' },
    force: { type: 'boolean', default: false },
    crl: { type: 'boolean', default: false },
    issuer: { type: 'string', default: 'https://localhost:8443' },
  },
});

const dir = resolve(values.dir);
const pki = await ensureDemoPki(dir, { force: values.force });
console.log(`${pki.created ? 'wrote' : 'kept'} the demo PKI in ${pki.dir}`);
console.log(`  trusted client CA bundle (EDGE_CLIENT_CA_FILE): ${pki.clientCaBundle}`);
console.log(
  `  edge server certificate (EDGE_TLS_CERT_FILE / EDGE_TLS_KEY_FILE): ${pki.server.cert}, ${pki.server.key}`,
);
for (const [name, qwac] of Object.entries(pki.qwacs)) {
  console.log(
    `  ${name.padEnd(14)} ${qwac.organizationIdentifier.padEnd(22)} ${qwac.roles.join(',')}  ${qwac.cert}`,
  );
}
const { operators } = pki;
console.log(`  operator CA (ADMIN_CLIENT_CA_FILE, the CLI's ADMIN_CA_FILE): ${operators.ca.cert}`);
console.log(
  `  admin server (ADMIN_TLS_CERT_FILE / ADMIN_TLS_KEY_FILE): ${operators.server.cert}, ${operators.server.key}`,
);
console.log(
  `  demo operator (ADMIN_CERT_FILE / ADMIN_KEY_FILE): ${operators.operator.cert}, ${operators.operator.key}`,
);
if (values.crl) {
  const crlFile = join(pki.dir, 'ca-crl.pem');
  await writeFile(crlFile, await issueCrl(await loadCertificateAuthority(pki.ca)), { mode: 0o600 });
  console.log(`  the demo CA's CRL, valid 7 days (EDGE_CLIENT_CRL_FILE): ${crlFile}`);
}
console.log(`try: ${demoCurlCommand({ pki, issuer: values.issuer })}`);
