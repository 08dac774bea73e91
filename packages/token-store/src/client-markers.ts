import { setTimeout as sleep } from 'node:timers/promises';

/*
 * A client's marker: the one value that decides, beside a record's own expiry and its grant, whether
 * anything of the client is active. Redis keeps it at `x:<clientId>`, the memory store in a map; both
 * use these rules, and redis-scripts.ts repeats `admits` in Lua for refresh rotation.
 *
 *   (absent)                  the client is active
 *   <ms>                      deleted at <ms> (revokeClient): nothing of the client is ever active again
 *   <ms>;<previous>           the same, remembering the marker the deletion replaced, for restoreClient
 *   S<ms>                     suspended by an operator at <ms>: nothing of the client is active
 *   C<cutoff>:<scopes>        a period since <cutoff> (Unix seconds): a record issued before it is
 *                             inactive for good, and so is one whose scope holds one of <scopes>
 *                             (space-separated, empty when none is refused)
 *
 * Records carry whole seconds (issuedAt, createdAt), so the cutoff is the first whole second after
 * the period starts and reinstateClient waits for it: whatever was issued before has issuedAt <
 * cutoff, whatever is issued after has issuedAt >= cutoff. A marker value starting with a digit is a
 * deletion, which is what every marker was before suspensions existed: such a marker is never turned
 * into a period or a suspension.
 */

export type ClientMarker =
  | { readonly kind: 'deleted'; readonly previous?: string }
  | { readonly kind: 'suspended' }
  | { readonly kind: 'period'; readonly cutoff: number; readonly refusedScopes: readonly string[] };

const DELETED = /^(\d+)(?:;(.*))?$/s;
const PERIOD = /^C(\d+):(.*)$/s;

export function parseClientMarker(value: string | null | undefined): ClientMarker | undefined {
  if (value === null || value === undefined) return undefined;
  const deleted = DELETED.exec(value);
  if (deleted !== null)
    return deleted[2] === undefined ? { kind: 'deleted' } : { kind: 'deleted', previous: deleted[2] };
  const period = PERIOD.exec(value);
  if (period !== null) {
    const refusedScopes = (period[2] ?? '').split(' ').filter((scope) => scope !== '');
    return { kind: 'period', cutoff: Number(period[1]), refusedScopes };
  }
  // `S…`, or anything this version does not know: inactive, the safe reading.
  return { kind: 'suspended' };
}

/** What the marker says about a record of the client issued at `issuedAt` with `scope`. */
export function markerAdmits(
  value: string | null | undefined,
  record: { readonly issuedAt: number; readonly scope: string },
): boolean {
  const marker = parseClientMarker(value);
  if (marker === undefined) return true;
  if (marker.kind !== 'period' || record.issuedAt < marker.cutoff) return false;
  const held = record.scope.split(' ');
  return !marker.refusedScopes.some((scope) => held.includes(scope));
}

export function suspendedMarker(nowMs: number): string {
  return `S${nowMs}`;
}

/** The refused scopes as the marker writes them: sorted and distinct, so equal sets compare equal. */
export function refusedScopesText(refusedScopes: readonly string[]): string {
  return [...new Set(refusedScopes)].sort().join(' ');
}

/** The first whole second after `nowMs`. */
export function periodCutoff(nowMs: number): number {
  return Math.floor(nowMs / 1000) + 1;
}

export function periodMarker(cutoff: number, refusedScopes: readonly string[]): string {
  return `C${cutoff}:${refusedScopesText(refusedScopes)}`;
}

/** Whether the marker must expire at all: one that still refuses something must not. */
export function markerIsPermanent(value: string): boolean {
  const marker = parseClientMarker(value);
  return marker?.kind === 'suspended' || (marker?.kind === 'period' && marker.refusedScopes.length > 0);
}

/** The marker after suspendClient, or undefined to keep the current one. */
export function markerOnSuspend(current: string | undefined, nowMs: number): string | undefined {
  const marker = parseClientMarker(current);
  if (marker?.kind === 'deleted' || marker?.kind === 'suspended') return undefined;
  return suspendedMarker(nowMs);
}

/** The marker after reinstateClient, or undefined to keep the current one. */
export function markerOnReinstate(
  current: string | undefined,
  refusedScopes: readonly string[],
  nowMs: number,
): string | undefined {
  const marker = parseClientMarker(current);
  const refused = refusedScopesText(refusedScopes);
  if (marker === undefined && refused === '') return undefined;
  if (marker?.kind === 'deleted') return undefined;
  if (marker?.kind === 'period' && refusedScopesText(marker.refusedScopes) === refused) return undefined;
  return periodMarker(periodCutoff(nowMs), refusedScopes);
}

/** The marker after revokeClient (deletion). */
export function markerOnDelete(current: string | undefined, nowMs: number): string {
  const marker = parseClientMarker(current);
  const previous = marker?.kind === 'deleted' ? marker.previous : current;
  return previous === undefined ? String(nowMs) : `${nowMs};${previous}`;
}

/** The marker after restoreClient: the one the deletion replaced; undefined: none. */
export function markerOnRestore(current: string | undefined): string | undefined {
  const marker = parseClientMarker(current);
  return marker?.kind === 'deleted' ? marker.previous : current;
}

/** Waits until `now()` has reached the cutoff second of a period marker just written. */
export async function untilPeriodStarts(value: string, now: () => number): Promise<void> {
  const marker = parseClientMarker(value);
  if (marker?.kind !== 'period') return;
  const wait = marker.cutoff * 1000 - now();
  if (wait > 0) await sleep(wait);
}
