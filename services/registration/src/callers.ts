import type { ClientCertificateResolver, QwacIdentity } from '@psd2/certificates';
import { certificateCaller } from '@psd2/client-authentication';
import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import type { CallerCheck, RequestBasics } from '@psd2/http';
import { InvalidClientError } from '@psd2/oauth-errors';
import { type RateLimiter, withinRateLimit } from '@psd2/rate-limit';
import { authorizeManagement } from './management-auth.js';

/** An RFC 7592 request's caller: the QWAC presented and the client its registration access token opens. */
export interface ManagingCaller {
  readonly qwac: QwacIdentity;
  readonly client: RegisteredClient;
}

export interface RegistrationCallers {
  /** RFC 7591: a QWAC (RFC 8705 §2), within its organisation's request rate. */
  readonly organisation: CallerCheck<QwacIdentity>;
  /** RFC 7592 §2: the same, then the registration access token of a client of that organisation. */
  readonly managingClient: CallerCheck<ManagingCaller>;
}

/**
 * Who may call the registration endpoints, decided before any body is parsed, counted or read: the
 * QWAC first, then the rate limit (failed attempts count too, which slows token guessing), then, for
 * a client's configuration endpoint, its registration access token.
 */
export function registrationCallers(deps: {
  readonly certificates: ClientCertificateResolver;
  readonly rateLimiter: RateLimiter;
  readonly registry: Pick<ClientRegistry, 'checkRegistrationAccessToken'>;
}): RegistrationCallers {
  /** Per organisation, all replicas together; failed attempts count too (slows token guessing). */
  const withinRate = (organizationId: string) =>
    withinRateLimit(deps.rateLimiter, organizationId, 'registration requests from this organisation');

  const qwacOf = certificateCaller(deps.certificates);

  async function organisation(request: RequestBasics): Promise<QwacIdentity> {
    const qwac = qwacOf(request);
    await withinRate(qwac.organizationIdentifier);
    return qwac;
  }

  async function managingClient(request: RequestBasics): Promise<ManagingCaller> {
    const qwac = await organisation(request);
    const clientId = request.rawParams.clientId ?? '';
    request.fields.client_id = clientId;
    const client = await authorizeManagement({
      clientId,
      authorization: request.headers.authorization,
      certificate: qwac,
      registry: deps.registry,
    });
    // Issue 18: the registry may say so before the client cache does; it refuses changes itself too.
    if (client.suspension?.organisationSuspended === true) {
      throw new InvalidClientError({
        description: 'The bank has suspended this organisation.',
        detail: `organisation ${client.organizationId} suspended by the bank`,
      });
    }
    return { qwac, client };
  }

  return { organisation, managingClient };
}
