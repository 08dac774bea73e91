import { PAYMENT_INITIATION_EXAMPLE, type PaymentInitiationDetail } from '@psd2/payment-details';
import { newPaymentRequest } from './payment-requests.js';
import type { AccessTokenRecord, GrantRecord, PaymentRequestRecord, RefreshTokenRecord } from './records.js';
import { generateGrantId, generateOpaqueToken } from './secrets.js';
import type { IssuedTokens, RefreshPresenter, RotationRequest, TokenStore } from './store.js';

/* Records and requests the contract suite (contract.ts, contract-refresh.ts) builds its cases from. */

/** The contract's clock: real time plus an offset that tests move and reset. */
export interface ContractClock {
  offsetMs: number;
  readonly now: () => number;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
export const THUMBPRINT = 'x4E2qU1yNQX7lU0a2o7kqLIN2y2Jb9gVvFhYb1Z5f3c';
export const OTHER_THUMBPRINT = 'Zm9yZWlnbi1jZXJ0aWZpY2F0ZS10aHVtYnByaW50LTE';

export function grant(clientId: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  const at = nowSeconds();
  return {
    grantId: generateGrantId(),
    clientId,
    organizationId: 'PSDFR-ACPR-12345',
    subject: 'psu-0001',
    scope: 'aisp',
    authTime: at,
    createdAt: at,
    expiresAt: at + 180 * 24 * 3600,
    ...overrides,
  };
}

export function accessRecord(clientId: string, grantId?: string, lifetime = 3600): AccessTokenRecord {
  const at = nowSeconds();
  return {
    clientId,
    organizationId: 'PSDFR-ACPR-12345',
    scope: grantId ? 'aisp' : 'pisp',
    ...(grantId ? { grantId, subject: 'psu-0001' } : {}),
    issuedAt: at,
    expiresAt: at + lifetime,
    certificateThumbprint: THUMBPRINT,
  };
}

export function refreshRecord(g: GrantRecord): RefreshTokenRecord {
  return {
    grantId: g.grantId,
    clientId: g.clientId,
    scope: g.scope,
    issuedAt: nowSeconds(),
    expiresAt: g.expiresAt,
    certificateThumbprint: THUMBPRINT,
  };
}

export function successors(g: GrantRecord): IssuedTokens {
  return {
    accessToken: generateOpaqueToken(),
    accessRecord: accessRecord(g.clientId, g.grantId),
    refreshToken: generateOpaqueToken(),
    refreshRecord: refreshRecord(g),
  };
}

export function owner(g: GrantRecord, certificateThumbprint = THUMBPRINT): RefreshPresenter {
  return { clientId: g.clientId, certificateThumbprint };
}

/** A rotation by the grant's client with THUMBPRINT, no grace unless given. */
export function rotation(g: GrantRecord, overrides: Partial<RotationRequest> = {}): RotationRequest {
  return { grantId: g.grantId, presenter: owner(g), next: successors(g), reuseGraceSeconds: 0, ...overrides };
}

export function codeRecord(g: GrantRecord) {
  return {
    clientId: g.clientId,
    redirectUri: 'https://tpp.example/cb',
    scope: g.scope,
    grantId: g.grantId,
    subject: g.subject,
    issuedAt: nowSeconds(),
    expiresAt: nowSeconds() + 60,
  };
}

/** A stored grant of `clientId` with one access token and one refresh token issued under it. */
export async function storedGrantWithTokens(store: TokenStore, clientId: string) {
  const g = grant(clientId);
  await store.createGrant(g);
  const access = generateOpaqueToken();
  const refresh = generateOpaqueToken();
  await store.saveAccessToken(access, accessRecord(g.clientId, g.grantId));
  await store.saveRefreshToken(refresh, refreshRecord(g));
  return { g, access, refresh };
}

/** A valid payment (RFC 9396 `payment_initiation`), with every optional field of an initiation. */
export function paymentDetail(overrides: Partial<PaymentInitiationDetail> = {}): PaymentInitiationDetail {
  return {
    ...PAYMENT_INITIATION_EXAMPLE,
    remittanceInformationUnstructured: 'Ref Number Merchant – café',
    debtorAccount: { iban: 'FR7630006000011234567890189' },
    ...overrides,
  };
}

/** A pending payment request of `clientId`, registered by the payment API unless said otherwise. */
export function paymentRequest(
  clientId: string,
  fields: { origin?: PaymentRequestRecord['origin']; resourceId?: string; lifetimeSeconds?: number } = {},
): PaymentRequestRecord {
  const origin = fields.origin ?? 'payment_api';
  return newPaymentRequest({
    clientId,
    detail: paymentDetail(),
    origin,
    ...(origin === 'payment_api' ? { resourceId: fields.resourceId ?? `pmt-${generateGrantId()}` } : {}),
    now: nowSeconds(),
    lifetimeSeconds: fields.lifetimeSeconds ?? 600,
  });
}

/** A pisp consent for an approved payment request, as the authorization service creates it. */
export function paymentGrant(request: PaymentRequestRecord): GrantRecord {
  return grant(request.clientId, {
    scope: 'pisp',
    authorizationDetails: [request.detail],
    paymentRequestId: request.paymentRequestId,
    expiresAt: request.expiresAt,
  });
}
