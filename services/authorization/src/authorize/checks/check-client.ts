import {
  ClientNotFoundError,
  type ClientRegistry,
  isClientId,
  type RegisteredClient,
} from '@psd2/client-registry-client';
import { isDependencyUnavailable } from '@psd2/oauth-errors';
import { PageError } from '../errors.js';
import { type RawParams, single } from '../params.js';

/**
 * check_client: the client must exist, be active and its organisation not suspended. Nothing about the request can be trusted before
 * this, so every failure is a page for the PSU, never a redirect (RFC 6749 §4.1.2.1).
 */
export async function checkClient(
  params: RawParams,
  registry: Pick<ClientRegistry, 'getClient'>,
): Promise<RegisteredClient> {
  let clientId: string | undefined;
  try {
    clientId = single(params, 'client_id');
  } catch {
    throw new PageError('unknown_client', 400, 'client_id repeated');
  }
  if (clientId === undefined || !isClientId(clientId)) {
    throw new PageError('unknown_client', 400, 'client_id missing or malformed');
  }
  let client: RegisteredClient;
  try {
    client = await registry.getClient(clientId);
  } catch (error) {
    if (error instanceof ClientNotFoundError) throw new PageError('unknown_client', 400, 'unknown client_id');
    if (isDependencyUnavailable(error)) {
      throw new PageError('unavailable', 503, 'client registry unavailable', { cause: error });
    }
    throw new PageError('server', 500, 'client registry failed', { cause: error });
  }
  if (client.status !== 'active') throw new PageError('unknown_client', 400, 'client deleted');
  refuseSuspendedOrganisation(client);
  return client;
}

/**
 * Issue 18: a bank operator suspended the client's organisation. The client can no longer be trusted
 * with a redirect, so the PSU gets the page.
 */
export function refuseSuspendedOrganisation(
  client: RegisteredClient,
  options?: { endsSession?: boolean },
): void {
  if (client.suspension?.organisationSuspended === true) {
    throw new PageError(
      'suspended_client',
      403,
      `organisation ${client.organizationId} suspended by the bank`,
      options,
    );
  }
}
