import type { ClientCertificateResolver } from '@psd2/certificates';
import type { ClientRegistry } from '@psd2/client-registry-client';
import { createHttpApp, defineEndpoint, type Endpoint, empty, type HttpApp, json } from '@psd2/http';
import type { Logger } from '@psd2/logging';
import { AccessDeniedError } from '@psd2/oauth-errors';
import type { RateLimiter } from '@psd2/rate-limit';
import type { TokenStore } from '@psd2/token-store';
import { registrationCallers } from './callers.js';
import { deleteClientAndTokens } from './client-deletion.js';
import { validateClientMetadata } from './metadata.js';
import { fromRegistryError } from './registry-errors.js';
import { clientInformation } from './response.js';

export interface RegistrationDependencies {
  readonly logger: Logger;
  readonly registry: ClientRegistry;
  readonly certificates: ClientCertificateResolver;
  /** Where a deleted client's tokens are revoked. */
  readonly tokenStore: TokenStore;
  /** How long after a registry delete was sent it may still commit (client-deletion.ts). */
  readonly registryCommitHorizonMs: number;
  readonly rateLimiter: RateLimiter;
  readonly issuer: string;
  readonly maxClientsPerOrganisation: number;
  readonly maxBodyBytes: number;
}

const REGISTER = '/oauth2/register';
const CONFIGURATION = '/oauth2/register/:clientId';

/** RFC 7591 registration and RFC 7592 management of OAuth clients. Builds the app; does no I/O. */
export function createRegistrationApp(deps: RegistrationDependencies): HttpApp {
  return createHttpApp({
    logger: deps.logger,
    readiness: {
      'client-registry': () => deps.registry.waitForReady(900),
      'rate-limiter': () => deps.rateLimiter.ping(),
      'token-store': () => deps.tokenStore.ping(),
    },
    endpoints: registrationEndpoints(deps),
  });
}

function registrationEndpoints(deps: RegistrationDependencies): Endpoint[] {
  const { organisation, managingClient } = registrationCallers(deps);
  const jsonBody = { accepts: 'json', bodyLimitBytes: deps.maxBodyBytes } as const;

  /**
   * A cap on active clients per organisation, so one TPP cannot fill the registry. Two registrations
   * racing at the cap can both pass: the cap is a guard against abuse, not an exact quota.
   */
  const refuseOverCap = async (organizationId: string) => {
    let count: number;
    try {
      const page = await deps.registry.listClients({
        organizationId,
        pageSize: deps.maxClientsPerOrganisation,
      });
      count = page.clients.length;
    } catch (error) {
      throw fromRegistryError(error);
    }
    if (count >= deps.maxClientsPerOrganisation) {
      throw new AccessDeniedError({
        description: `This organisation already has ${deps.maxClientsPerOrganisation} clients, the most allowed: delete one (RFC 7592) or update it instead.`,
      });
    }
  };

  /** RFC 7591 §3: register a client bound to the presented QWAC's organisation. */
  const register = defineEndpoint({
    method: 'POST',
    path: REGISTER,
    ...jsonBody,
    response: 'api',
    caller: organisation,
    handle: async ({ caller: qwac, body, fields }) => {
      const metadata = validateClientMetadata(body, {
        certificate: { roles: qwac.roles, subjectDn: qwac.subjectDn },
      });
      await refuseOverCap(qwac.organizationIdentifier);
      let issued: Awaited<ReturnType<ClientRegistry['createClient']>>;
      try {
        issued = await deps.registry.createClient({
          organizationId: qwac.organizationIdentifier,
          // The registry needs a name; a QWAC without O still has its organisation identifier.
          organizationName: qwac.organizationName ?? qwac.organizationIdentifier,
          ncaId: qwac.ncaId,
          roles: qwac.roles,
          registeredSubjectDn: qwac.subjectDn,
          registeredCertificateThumbprint: qwac.x5tS256,
          metadata,
        });
      } catch (error) {
        throw fromRegistryError(error);
      }
      fields.client_id = issued.client.clientId;
      const information = clientInformation(issued.client, deps.issuer, issued.registrationAccessToken);
      return json(information, {
        status: 201,
        headers: { Location: String(information.registration_client_uri) },
      });
    },
  });

  /** RFC 7592 §2.1: read the client's current configuration. */
  const read = defineEndpoint({
    method: 'GET',
    path: CONFIGURATION,
    response: 'api',
    caller: managingClient,
    handle: async ({ caller }) => json(clientInformation(caller.client, deps.issuer)),
  });

  /**
   * RFC 7592 §2.2: full replacement with the same checks as a registration. The registration access
   * token is rotated, and the certificate presented becomes the registered one, so a renewed QWAC of
   * the same organisation takes over without a new registration.
   */
  const update = defineEndpoint({
    method: 'PUT',
    path: CONFIGURATION,
    ...jsonBody,
    response: 'api',
    caller: managingClient,
    handle: async ({ caller: { qwac, client }, body }) => {
      const metadata = validateClientMetadata(body, {
        certificate: { roles: qwac.roles, subjectDn: qwac.subjectDn },
        update: {
          clientId: client.clientId,
          currentSubjectDn: client.metadata.tlsClientAuthSubjectDn ?? client.registeredSubjectDn,
        },
      });
      let replaced: Awaited<ReturnType<ClientRegistry['replaceClient']>>;
      try {
        replaced = await deps.registry.replaceClient({
          clientId: client.clientId,
          expectedVersion: client.version,
          metadata,
          actor: { organizationId: qwac.organizationIdentifier, certificateThumbprint: qwac.x5tS256 },
          rotateRegistrationAccessToken: true,
          registeredCertificate: { subjectDn: qwac.subjectDn, thumbprint: qwac.x5tS256 },
        });
      } catch (error) {
        throw fromRegistryError(error);
      }
      return json(clientInformation(replaced.client, deps.issuer, replaced.registrationAccessToken));
    },
  });

  /**
   * RFC 7592 §2.3: deprovision. The client's tokens are revoked first, then the client deleted: there is
   * never a deleted client whose tokens still work, and a failed registry step leaves the client working
   * (503, the TPP retries): client-deletion.ts.
   */
  const remove = defineEndpoint({
    method: 'DELETE',
    path: CONFIGURATION,
    response: 'api',
    caller: managingClient,
    handle: async ({ caller: { qwac, client } }) => {
      await deleteClientAndTokens(
        {
          registry: deps.registry,
          tokenStore: deps.tokenStore,
          logger: deps.logger,
          commitHorizonMs: deps.registryCommitHorizonMs,
        },
        {
          clientId: client.clientId,
          actor: { organizationId: qwac.organizationIdentifier, certificateThumbprint: qwac.x5tS256 },
        },
      );
      return empty(204);
    },
  });

  return [register, read, update, remove];
}
