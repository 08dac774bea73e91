import type { ClientCertificateResolver, QwacIdentity } from '@psd2/certificates';
import { InvalidClientError } from '@psd2/oauth-errors';
import { type ClientRequest, requestCertificate } from './authenticate.js';

/**
 * The caller check of an endpoint that needs a QWAC before anything is read (the endpoint layer's
 * `caller`): the QWAC behind the request, its organisation in the access log, or `401 invalid_client`
 * (RFC 8705 §2: a failed mutual-TLS client authentication is invalid_client). No certificate, one from
 * an untrusted peer (the header is then ignored), a QSealC, an expired one or one without a PSD2
 * statement all end here. The client is told only that a valid QWAC is required; the reason goes to
 * the log.
 */
export function certificateCaller(
  resolver: ClientCertificateResolver,
): (request: ClientRequest) => QwacIdentity {
  return (request) => {
    const outcome = requestCertificate(resolver, request);
    if (outcome.kind === 'present') {
      request.fields.organization_id = outcome.identity.organizationIdentifier;
      return outcome.identity;
    }
    throw new InvalidClientError({
      description: 'A valid eIDAS QWAC with a PSD2 role must be presented over mutual TLS.',
      detail:
        outcome.kind === 'absent'
          ? 'no client certificate (or the header came from an untrusted peer)'
          : `client certificate refused: ${outcome.error.code} (${outcome.error.message})`,
    });
  };
}
