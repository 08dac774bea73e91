import { ClientNotFoundError, type ClientRegistry } from '@psd2/client-registry-client';
import type { DeploymentMode } from '@psd2/config';
import type { PaymentInitiationDetail } from '@psd2/payment-details';
import {
  newPaymentRequest,
  type PaymentRequestRecord,
  type PaymentRequestStore,
  paymentRequestStatus,
  type TokenStore,
} from '@psd2/token-store';
import { consentApprovalUrl, type PageLanguage } from './consent-url.js';
import { PaymentConsentError } from './errors.js';

/*
 * The domain of the payment API's consent calls, free of gRPC: register a pending payment request for
 * a PISP's client, read it, and record the payment executed or cancelled (which ends the consent).
 */

/** The payment requests, and the access tokens whose activity a bound token reports. */
export type PaymentConsentStore = PaymentRequestStore & Pick<TokenStore, 'findAccessTokenByHash'>;

export interface PaymentConsentOptions {
  readonly store: PaymentConsentStore;
  readonly registry: Pick<ClientRegistry, 'getClient'>;
  /** The public issuer: the consent URL is an absolute URL on the edge. */
  readonly issuer: string;
  readonly mode: DeploymentMode;
  readonly defaultExpirySeconds: number;
  /** Unix seconds; tests pass their own clock. */
  readonly now?: () => number;
}

export interface RegisterInput {
  readonly clientId: string;
  readonly resourceId: string;
  readonly detail: PaymentInitiationDetail;
  readonly expiresInSeconds?: number;
  readonly language: PageLanguage;
}

export interface Registered {
  readonly paymentRequestId: string;
  readonly consentApprovalUrl: string;
  readonly expiresAt: number;
}

export interface FoundPaymentRequest {
  readonly record: PaymentRequestRecord;
  /**
   * Whether the bound token is active now, as introspection would answer (false without one). The
   * status cannot say it: only a reported outcome changes the status, while a withdrawn consent, a
   * revoked token or a suspended or deleted client end the token too.
   */
  readonly boundTokenActive: boolean;
}

export interface Completed {
  readonly status: 'executed' | 'cancelled';
  readonly completedAt: number;
}

export interface PaymentConsent {
  register(input: RegisterInput): Promise<Registered>;
  /**
   * The request as stored and whether its token is active; NOT_FOUND when unknown or past its
   * retention. A store that cannot answer fails the call (UNAVAILABLE), never a guess either way.
   */
  find(paymentRequestId: string): Promise<FoundPaymentRequest>;
  complete(paymentRequestId: string, outcome: 'executed' | 'cancelled'): Promise<Completed>;
}

const notFound = (paymentRequestId: string) =>
  new PaymentConsentError('not_found', `no payment request ${paymentRequestId}`);

export function createPaymentConsent(options: PaymentConsentOptions): PaymentConsent {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));

  /**
   * Only a client that could complete the consent may have one registered for it: the customer would
   * otherwise approve a payment whose token can never be issued.
   */
  async function requireAllowedClient(clientId: string): Promise<void> {
    const client = await options.registry.getClient(clientId).catch((error: unknown) => {
      if (error instanceof ClientNotFoundError) {
        throw new PaymentConsentError('not_found', `no client ${clientId} in the registry`, { cause: error });
      }
      throw error;
    });
    if (client.status !== 'active') {
      throw new PaymentConsentError('failed_precondition', `client ${clientId} is not active`);
    }
    const scopes = (client.metadata.scope ?? '').split(' ');
    if (!scopes.includes('pisp')) {
      throw new PaymentConsentError(
        'failed_precondition',
        `client ${clientId} is not registered for the pisp scope`,
      );
    }
    if (!client.metadata.grantTypes.includes('authorization_code')) {
      throw new PaymentConsentError(
        'failed_precondition',
        `client ${clientId} is not registered for the authorization_code grant type`,
      );
    }
  }

  async function findRecord(paymentRequestId: string): Promise<PaymentRequestRecord> {
    const record = await options.store.findPaymentRequest(paymentRequestId);
    if (record === undefined) throw notFound(paymentRequestId);
    return record;
  }

  /** findAccessToken's rules (the token store's), for the token the request holds by its hash. */
  async function boundTokenActive(record: PaymentRequestRecord): Promise<boolean> {
    if (record.token === undefined) return false;
    const access = await options.store.findAccessTokenByHash(record.token.accessTokenHash);
    // The token service binds only a token of the request's own grant; should the two ever differ,
    // the token is no proof of this payment's consent, and the safe answer is no.
    return access !== undefined && access.grantId !== undefined && access.grantId === record.grantId;
  }

  return {
    async register(input) {
      await requireAllowedClient(input.clientId);
      const record = newPaymentRequest({
        clientId: input.clientId,
        detail: input.detail,
        origin: 'payment_api',
        resourceId: input.resourceId,
        now: now(),
        lifetimeSeconds: input.expiresInSeconds ?? options.defaultExpirySeconds,
      });
      await options.store.createPaymentRequest(record);
      return {
        paymentRequestId: record.paymentRequestId,
        consentApprovalUrl: consentApprovalUrl({
          issuer: options.issuer,
          mode: options.mode,
          language: input.language,
          clientId: input.clientId,
          paymentRequestId: record.paymentRequestId,
        }),
        expiresAt: record.expiresAt,
      };
    },

    async find(paymentRequestId) {
      const record = await findRecord(paymentRequestId);
      return { record, boundTokenActive: await boundTokenActive(record) };
    },

    async complete(paymentRequestId, outcome) {
      const completedAt = now();
      const result = await options.store.completePaymentRequest(paymentRequestId, outcome, completedAt);
      if (result === 'completed') return { status: outcome, completedAt };
      if (result === 'unknown') throw notFound(paymentRequestId);
      const record = await findRecord(paymentRequestId);
      // A retried report (its first answer lost) finds its own outcome recorded: the same answer again.
      if (record.status === outcome && record.completedAt !== undefined) {
        return { status: outcome, completedAt: record.completedAt };
      }
      throw new PaymentConsentError(
        'failed_precondition',
        `payment request ${paymentRequestId} is ${paymentRequestStatus(record, now())}, not approved: ` +
          'only an approved payment can be reported executed or cancelled',
      );
    },
  };
}
