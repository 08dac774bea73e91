import { ServerCredentials, type ServiceError, status } from '@grpc/grpc-js';
import {
  ClientNotFoundError,
  type ClientRegistry,
  type RegisteredClient,
  RegistryUnavailableError,
} from '@psd2/client-registry-client';
import { createLogger } from '@psd2/logging';
import {
  connectPaymentConsentApi,
  type PaymentConsentApi,
  type PaymentDetails,
  PaymentKind,
  type RegisterPaymentRequestRequest,
} from '@psd2/payment-consent-proto';
import { generateGrantId, generateOpaqueToken, hashSecret, type TokenStore } from '@psd2/token-store';
import { type RunningPaymentConsentServer, startPaymentConsentServer } from './server.js';

/*
 * For the service's tests: the real gRPC server on a loopback port with a given token store and a fake
 * registry, and a real grpc-js client with each call as a promise.
 */

export const ISSUER = 'https://auth.bank.test';

export const pispClient = (
  clientId: string,
  changes: Partial<RegisteredClient['metadata']> = {},
): RegisteredClient => ({
  clientId,
  organizationId: 'PSDFR-ACPR-12345',
  organizationName: 'Pisp',
  ncaId: 'FR-ACPR',
  roles: ['PSP_PI'],
  registeredSubjectDn: 'CN=pisp',
  registeredCertificateThumbprint: 'x'.repeat(43),
  metadata: {
    redirectUris: ['https://pisp.example/cb'],
    grantTypes: ['authorization_code', 'client_credentials'],
    responseTypes: ['code'],
    scope: 'pisp',
    ...changes,
  },
  status: 'active',
  createdAt: new Date(0),
  updatedAt: new Date(0),
  version: 1,
});

/** A registry that knows the clients it is given; `down` makes every call fail as an outage would. */
export function fakeRegistry(clients: readonly RegisteredClient[]) {
  const byId = new Map(clients.map((client) => [client.clientId, client]));
  const registry = {
    down: false as boolean,
    async getClient(clientId: string): Promise<RegisteredClient> {
      if (registry.down)
        throw new RegistryUnavailableError('unavailable', status.UNAVAILABLE, 'registry down');
      const client = byId.get(clientId);
      if (client === undefined)
        throw new ClientNotFoundError('not_found', status.NOT_FOUND, 'no such client');
      return client;
    },
  } satisfies Pick<ClientRegistry, 'getClient'> & { down: boolean };
  return registry;
}

export const SAMPLE_DETAILS: PaymentDetails = {
  instructedAmount: { currency: 'EUR', amount: '123.50' },
  creditorName: 'Merchant A',
  creditorIban: 'DE02100100109307118603',
  remittanceInformation: 'Ref Number Merchant',
};

export const sampleRequest = (
  clientId: string,
  changes: Partial<RegisterPaymentRequestRequest> = {},
): RegisterPaymentRequestRequest => ({
  clientId,
  resourceId: 'pr-2026-0001',
  kind: PaymentKind.PAYMENT_KIND_INITIATE,
  details: SAMPLE_DETAILS,
  language: 0,
  ...changes,
});

export interface TestApi extends Omit<PaymentConsentApi, 'close'> {
  readonly server: RunningPaymentConsentServer;
  readonly address: string;
  /** The status code and details a failing call ended with. */
  failure(promise: Promise<unknown>): Promise<{ code: status; details: string }>;
  close(): Promise<void>;
}

export async function startTestApi(options: {
  readonly store: TokenStore;
  readonly registry: Pick<ClientRegistry, 'getClient'>;
  readonly mode?: 'bank' | 'sandbox';
  readonly now?: () => number;
}): Promise<TestApi> {
  const server = await startPaymentConsentServer({
    host: '127.0.0.1',
    port: 0,
    credentials: ServerCredentials.createInsecure(),
    store: options.store,
    registry: options.registry,
    issuer: ISSUER,
    mode: options.mode ?? 'bank',
    defaultExpirySeconds: 900,
    logger: createLogger({ name: 'payment-consent-test', level: 'silent' }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const address = `127.0.0.1:${server.port}`;
  const api = connectPaymentConsentApi(address);
  return {
    server,
    address,
    register: api.register,
    get: api.get,
    report: api.report,
    async failure(promise) {
      const error = await promise.then(
        () => undefined,
        (caught: unknown) => caught as ServiceError,
      );
      if (error === undefined) throw new Error('the call succeeded');
      return { code: error.code, details: error.details };
    },
    async close() {
      api.close();
      await server.shutdown(1000);
    },
  };
}

/** What the authorization pages do when the customer approves: a grant, the decision on the request. */
export async function approveAsTheCustomer(
  store: TokenStore,
  paymentRequestId: string,
  now: number,
): Promise<{ grantId: string }> {
  const record = await store.findPaymentRequest(paymentRequestId);
  if (record === undefined) throw new Error('no such payment request');
  const grantId = generateGrantId();
  await store.createGrant({
    grantId,
    clientId: record.clientId,
    organizationId: 'PSDFR-ACPR-12345',
    subject: 'psu-0001',
    scope: 'pisp',
    authTime: now,
    createdAt: now,
    expiresAt: now + 300,
    authorizationDetails: [record.detail],
    paymentRequestId,
  });
  const outcome = await store.decidePaymentRequest(paymentRequestId, {
    outcome: 'approved',
    subject: 'psu-0001',
    grantId,
    scaBinding: 'binding',
    decidedAt: now,
  });
  if (outcome !== 'decided') throw new Error(`decision ${outcome}`);
  return { grantId };
}

/**
 * What the token service does when the PISP redeems the approval's code: an access token of the grant,
 * bound to the request (its hash only). Returns the token value, which only the PISP would hold.
 */
export async function issueBoundToken(
  store: TokenStore,
  paymentRequestId: string,
  grant: { readonly grantId: string; readonly clientId: string },
  now: number,
  lifetimeSeconds = 300,
): Promise<string> {
  const accessToken = generateOpaqueToken();
  const expiresAt = now + lifetimeSeconds;
  await store.saveAccessToken(accessToken, {
    clientId: grant.clientId,
    organizationId: 'PSDFR-ACPR-12345',
    scope: 'pisp',
    subject: 'psu-0001',
    grantId: grant.grantId,
    issuedAt: now,
    expiresAt,
    certificateThumbprint: BOUND_THUMBPRINT,
  });
  await store.bindPaymentToken(paymentRequestId, {
    accessTokenHash: hashSecret(accessToken),
    certificateThumbprint: BOUND_THUMBPRINT,
    issuedAt: now,
    expiresAt,
  });
  return accessToken;
}

/** The `cnf.x5t#S256` of tokens issueBoundToken makes. */
export const BOUND_THUMBPRINT = 'y'.repeat(43);
