import { parseScope, scopesAllowedByRoles } from '@psd2/scopes';
import type { TokenStore } from '@psd2/token-store';
import type { SuspendableRole } from './suspensions-model.js';

/*
 * What the token store must hold for one client, given the suspensions in force for its organisation.
 * The store's marker is the single place that makes tokens inactive: an organisation suspended →
 * `suspendClient` (everything of the client inactive, later tokens too); otherwise a period that
 * refuses the scopes of the suspended roles the client is registered for → `reinstateClient(clientId,
 * scopes)`, which also ends every token issued before it. So a role suspension ends all the client's
 * tokens, those of its other roles too (they can be obtained again at once), and never revives one.
 */

export type ClientMarkerState =
  | { readonly kind: 'suspended' }
  | { readonly kind: 'period'; readonly refusedScopes: readonly string[] };

export interface ClientScope {
  readonly clientId: string;
  /** The client's registered scope (RFC 7591 `scope`). */
  readonly scope: string | undefined;
}

/** The scopes a suspension of `role` refuses. */
export function scopesOfRole(role: SuspendableRole): readonly string[] {
  return scopesAllowedByRoles([role]);
}

/** Whether a suspension (of `role`, or of the whole organisation) touches a client registered with `scope`. */
export function suspensionTouches(
  role: SuspendableRole | undefined,
  registeredScope: string | undefined,
): boolean {
  if (role === undefined) return true;
  const refused = scopesOfRole(role);
  return (parseScope(registeredScope) ?? []).some((scope) => refused.includes(scope));
}

/**
 * The client's marker state under the suspensions in force: only the roles it is registered for count,
 * so a client of other roles is never left refusing scopes it may register later.
 */
export function markerStateFor(
  inForce: readonly { readonly role: SuspendableRole | null }[],
  client: ClientScope,
): ClientMarkerState {
  if (inForce.some((suspension) => suspension.role === null)) return { kind: 'suspended' };
  const roles = inForce.flatMap((suspension) =>
    suspension.role !== null && suspensionTouches(suspension.role, client.scope) ? [suspension.role] : [],
  );
  return { kind: 'period', refusedScopes: scopesAllowedByRoles(roles) };
}

const BATCH = 25;

/** Writes each client's marker state; rejects if any write failed (every write is idempotent). */
export async function applyMarkers(
  tokenStore: Pick<TokenStore, 'suspendClient' | 'reinstateClient'>,
  clients: readonly ClientScope[],
  inForce: readonly { readonly role: SuspendableRole | null }[],
): Promise<void> {
  // In batches: reinstateClient may wait up to a second for the clock, which concurrent calls share,
  // while a struggling store never sees hundreds of calls at once.
  for (let start = 0; start < clients.length; start += BATCH) {
    await Promise.all(
      clients.slice(start, start + BATCH).map((client) => {
        const state = markerStateFor(inForce, client);
        return state.kind === 'suspended'
          ? tokenStore.suspendClient(client.clientId)
          : tokenStore.reinstateClient(client.clientId, state.refusedScopes);
      }),
    );
  }
}
