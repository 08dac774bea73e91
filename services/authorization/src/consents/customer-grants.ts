import { ClientNotFoundError, type RegisteredClient } from '@psd2/client-registry-client';
import type { PaymentInitiationDetail } from '@psd2/payment-details';
import type { GrantRecord } from '@psd2/token-store';
import type { PageDependencies } from '../flow/dependencies.js';
import type { Lang } from '../html/messages.js';

/*
 * A customer's active consents as the consent page shows them: each grant with its TPP (the client's
 * name in the page's language, its organisation), what it may do, when it was granted, until when,
 * and when it was last used. The store answers only active grants (a deleted client's are hidden
 * there); a client the registry no longer has, or no longer active, is left out here as well.
 */

export interface CustomerGrant {
  readonly grantId: string;
  readonly tppName: string;
  readonly organizationName: string;
  readonly organizationId: string;
  readonly scopes: readonly string[];
  /** A payment consent: the payment approved (RFC 9396 payment_initiation). */
  readonly payment?: PaymentInitiationDetail;
  /** Unix seconds. */
  readonly grantedAt: number;
  readonly expiresAt: number;
  readonly lastUsedAt?: number;
}

/**
 * The newest grants shown. Every grant takes the customer's own SCA, so a customer stays far below
 * it; it also bounds the registry lookups (one per distinct client, cached by the registry client).
 */
export const SHOWN_GRANTS = 100;

/** Registry lookups at once: a listing never floods the registry. */
const LOOKUP_CONCURRENCY = 8;

/** A grant id as the store makes them (generateGrantId: 128 bits, base64url); anything else is unknown. */
const GRANT_ID = /^[\w-]{16,64}$/;

export function isGrantId(value: string): boolean {
  return GRANT_ID.test(value);
}

type ClientView = Pick<CustomerGrant, 'tppName' | 'organizationName' | 'organizationId'>;

/** The customer's active grants, newest first. */
export async function customerGrants(
  deps: PageDependencies,
  psuId: string,
  lang: Lang,
): Promise<CustomerGrant[]> {
  const grants = await deps.tokenStore.listGrantsOfSubject(psuId, { limit: SHOWN_GRANTS });
  if (grants.length === 0) return [];
  const [clients, uses] = await Promise.all([
    clientsOf(deps, grants, lang),
    deps.tokenStore.lastUsedOf(grants.map((grant) => grant.grantId)),
  ]);
  return grants.flatMap((grant) => {
    const client = clients.get(grant.clientId);
    return client === undefined ? [] : [view(grant, client, uses[grant.grantId])];
  });
}

/**
 * One of the customer's active grants; undefined for an unknown id, another customer's grant or a
 * grant of a client gone, alike: the page never tells whether someone else's grant exists.
 */
export async function customerGrant(
  deps: PageDependencies,
  psuId: string,
  grantId: string,
  lang: Lang,
): Promise<CustomerGrant | undefined> {
  if (!isGrantId(grantId)) return undefined;
  const grant = await deps.tokenStore.findGrant(grantId);
  if (grant === undefined || grant.subject !== psuId) return undefined;
  const [clients, uses] = await Promise.all([
    clientsOf(deps, [grant], lang),
    deps.tokenStore.lastUsedOf([grant.grantId]),
  ]);
  const client = clients.get(grant.clientId);
  return client === undefined ? undefined : view(grant, client, uses[grant.grantId]);
}

function view(grant: GrantRecord, client: ClientView, lastUsedAt: number | undefined): CustomerGrant {
  return {
    grantId: grant.grantId,
    ...client,
    scopes: grant.scope.split(' '),
    ...(grant.authorizationDetails?.[0] === undefined ? {} : { payment: grant.authorizationDetails[0] }),
    grantedAt: grant.createdAt,
    expiresAt: grant.expiresAt,
    ...(lastUsedAt === undefined ? {} : { lastUsedAt }),
  };
}

/** The active clients of `grants`, looked up once each, a few at a time. */
async function clientsOf(
  deps: PageDependencies,
  grants: readonly GrantRecord[],
  lang: Lang,
): Promise<Map<string, ClientView>> {
  const ids = [...new Set(grants.map((grant) => grant.clientId))];
  const found = new Map<string, ClientView>();
  for (let start = 0; start < ids.length; start += LOOKUP_CONCURRENCY) {
    const batch = ids.slice(start, start + LOOKUP_CONCURRENCY);
    const clients = await Promise.all(batch.map((clientId) => activeClient(deps, clientId)));
    for (const client of clients)
      if (client !== undefined) found.set(client.clientId, clientView(client, lang));
  }
  return found;
}

async function activeClient(deps: PageDependencies, clientId: string): Promise<RegisteredClient | undefined> {
  try {
    const client = await deps.registry.getClient(clientId);
    return client.status === 'active' ? client : undefined;
  } catch (error) {
    if (error instanceof ClientNotFoundError) return undefined;
    throw error;
  }
}

function clientView(client: RegisteredClient, lang: Lang): ClientView {
  const { metadata } = client;
  return {
    tppName: metadata.clientNameLocalized?.[lang] ?? metadata.clientName ?? client.organizationName,
    organizationName: client.organizationName,
    organizationId: client.organizationId,
  };
}
