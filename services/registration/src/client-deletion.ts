import {
  ClientNotFoundError,
  ClientPermissionDeniedError,
  type ClientRegistry,
  type DeleteClientInput,
  InvalidClientRequestError,
  VersionConflictError,
} from '@psd2/client-registry-client';
import type { Logger } from '@psd2/logging';
import { isDependencyUnavailable, TemporarilyUnavailableError } from '@psd2/oauth-errors';
import type { TokenStore } from '@psd2/token-store';
import { fromRegistryError } from './registry-errors.js';

/*
 * RFC 7592 §2.3 DELETE spans two stores that share no transaction: the token store's revocation marker
 * (every token of the client inactive at once) and the registry's record. Of the two orders:
 *
 * - registry first, marker second: if the marker write fails, the client is gone but its access tokens
 *   stay active for up to an hour, and a retried DELETE cannot help (the client no longer exists, so the
 *   registration access token answers 401). Unsafe.
 * - marker first, registry second (this one): if the registry step fails, the marker is taken back so
 *   the still-registered client keeps working, and the TPP's retry starts over. The marker may only be
 *   taken back once the delete can no longer commit: a refused delete (version conflict, permission) did
 *   nothing; after an ambiguous failure (unavailable, deadline, unknown) the registry is asked, once the
 *   delete's deadline has passed (it never commits after its caller's deadline, services/client-registry
 *   store.ts), whether the client is still there. Only "still there" takes the marker back; "gone" means
 *   the delete committed (204); no answer keeps the marker and answers 503, because a deleted client
 *   whose tokens still work is worse than a client whose owner, who asked for its deletion, must retry.
 */

/** Failures after which the registry has certainly not deleted the client. */
function refusedWithoutChange(error: unknown): boolean {
  return (
    error instanceof VersionConflictError ||
    error instanceof ClientPermissionDeniedError ||
    error instanceof InvalidClientRequestError
  );
}

export interface ClientDeletionDependencies {
  readonly registry: Pick<ClientRegistry, 'deleteClient' | 'getClient'>;
  readonly tokenStore: Pick<TokenStore, 'revokeClient' | 'restoreClient'>;
  readonly logger: Logger;
  /** How long after a delete was sent the registry may still commit it: its deadline plus a margin. */
  readonly commitHorizonMs: number;
}

function storeUnavailable(error: unknown): unknown {
  return isDependencyUnavailable(error)
    ? new TemporarilyUnavailableError({ detail: 'token store unavailable', cause: error })
    : error;
}

/** Revokes the client's tokens and deletes it, or leaves it working as before and throws. */
export async function deleteClientAndTokens(
  deps: ClientDeletionDependencies,
  input: DeleteClientInput,
): Promise<void> {
  try {
    await deps.tokenStore.revokeClient(input.clientId);
  } catch (error) {
    throw storeUnavailable(error);
  }
  const sentAt = Date.now();
  try {
    await deps.registry.deleteClient(input);
    return;
  } catch (error) {
    // Deleted meanwhile by another request: the marker is right, the answer is the registry's.
    if (error instanceof ClientNotFoundError) throw fromRegistryError(error);
    if (refusedWithoutChange(error)) {
      await restoreOrKeep(deps, input.clientId);
      throw fromRegistryError(error);
    }
    const settled = await registryOutcome(deps, input.clientId, sentAt);
    if (settled === 'deleted') return;
    if (settled === 'present') await restoreOrKeep(deps, input.clientId);
    throw fromRegistryError(error);
  }
}

async function registryOutcome(
  deps: ClientDeletionDependencies,
  clientId: string,
  sentAt: number,
): Promise<'present' | 'deleted' | 'unknown'> {
  const wait = sentAt + deps.commitHorizonMs - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  try {
    await deps.registry.getClient(clientId, { fresh: true });
    return 'present';
  } catch (error) {
    if (error instanceof ClientNotFoundError) return 'deleted';
    deps.logger.warn(
      { err: error, client_id: clientId },
      'client deletion outcome unknown: its revocation marker stays until the TPP retries the DELETE',
    );
    return 'unknown';
  }
}

async function restoreOrKeep(deps: ClientDeletionDependencies, clientId: string): Promise<void> {
  try {
    await deps.tokenStore.restoreClient(clientId);
  } catch (error) {
    deps.logger.error(
      { err: error, client_id: clientId },
      'client not deleted, but its revocation marker could not be taken back: it stays until the TPP retries the DELETE',
    );
    throw storeUnavailable(error);
  }
}
