import { parseScope, scopesAllowedByRoles } from '@psd2/scopes';
import type { TokenStore } from '@psd2/token-store';
import type { SuspendableRole } from './suspensions-model.js';

/*
 * What the token store must hold for one client, given the suspensions in force for its organisation.
 * The store's marker is the single place that makes tokens inactive: an organisation suspended →
 * `suspendClient` (everything of the client inactive, later tokens too); otherwise a period that
 * refuses the suspended roles' scopes → `reinstateClient(clientId, scopes)`, which also ends every
 * token issued before it. So a role suspension ends all the client's tokens, those of its other roles
 * too (they can be obtained again at once), and never revives one.
 */

export type ClientMarkerState =
  | { readonly kind: 'suspended' }
  | { readonly kind: 'period'; readonly refusedScopes: readonly string[] };

export function markerStateFor(
  inForce: readonly { readonly role: SuspendableRole | null }[],
): ClientMarkerState {
  if (inForce.some((suspension) => suspension.role === null)) return { kind: 'suspended' };
  const roles = inForce.flatMap((suspension) => (suspension.role === null ? [] : [suspension.role]));
  return { kind: 'period', refusedScopes: scopesAllowedByRoles(roles) };
}

/** The scopes a suspension of `role` refuses (absent role: the whole organisation, every scope). */
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

const BATCH = 25;

/** Writes the marker state to every client; rejects if any write failed (every write is idempotent). */
export async function applyMarkers(
  tokenStore: Pick<TokenStore, 'suspendClient' | 'reinstateClient'>,
  clientIds: readonly string[],
  state: ClientMarkerState,
): Promise<void> {
  // In batches: reinstateClient may wait up to a second for the clock, which concurrent calls share,
  // while a struggling store never sees hundreds of calls at once.
  for (let start = 0; start < clientIds.length; start += BATCH) {
    await Promise.all(
      clientIds
        .slice(start, start + BATCH)
        .map((clientId) =>
          state.kind === 'suspended'
            ? tokenStore.suspendClient(clientId)
            : tokenStore.reinstateClient(clientId, state.refusedScopes),
        ),
    );
  }
}
