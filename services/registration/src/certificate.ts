import type { ClientCertificateResolver, QwacIdentity } from '@psd2/certificates';
import { readClientCertificate } from '@psd2/client-authentication';
import { InvalidClientError } from '@psd2/oauth-errors';

/**
 * The QWAC behind a request, or `401 invalid_client` (RFC 8705 §2: a failed mutual-TLS client
 * authentication is invalid_client). No certificate, one from an untrusted peer (the header is then
 * ignored), a QSealC, an expired one or one without a PSD2 statement all end here, before anything is
 * read or stored. The client is told only that a valid QWAC is required; the reason goes to the log.
 */
export function requireQwac(
  resolver: ClientCertificateResolver,
  request: { readonly remoteAddress: string | undefined; readonly header: string | string[] | undefined },
): QwacIdentity {
  const outcome = readClientCertificate(resolver, request);
  if (outcome.kind === 'present') return outcome.identity;
  throw new InvalidClientError({
    description: 'A valid eIDAS QWAC with a PSD2 role must be presented over mutual TLS.',
    detail:
      outcome.kind === 'absent'
        ? 'no client certificate (or the header came from an untrusted peer)'
        : `client certificate refused: ${outcome.error.code} (${outcome.error.message})`,
  });
}
