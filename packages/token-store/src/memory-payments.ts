import { ExpiringMap } from './expiring-map.js';
import {
  PAYMENT_REQUEST_RETENTION_SECONDS,
  type PaymentRequestStore,
  type PushedRequestStore,
} from './payment-store.js';
import type { PaymentRequestRecord, PushedRequestRecord } from './records.js';
import { hashSecret } from './secrets.js';

/** What the embedded store's sweeper and debugKeys need of a map of records. */
export interface SweptMap {
  sweep(): void;
  keys(): IterableIterator<string>;
}

export interface MemoryPaymentStores {
  readonly stores: PaymentRequestStore & PushedRequestStore;
  /** Its maps, swept and listed with the embedded store's own. */
  readonly maps: readonly SweptMap[];
}

/** Payment requests and pushed requests of the embedded store; atomic as the rest of it (one thread). */
export function createMemoryPaymentStores(
  now: () => number,
  revokeGrant: (grantId: string) => void,
): MemoryPaymentStores {
  const requests = new ExpiringMap<PaymentRequestRecord>(now);
  const pushed = new ExpiringMap<PushedRequestRecord>(now);
  const retainedUntil = (record: PaymentRequestRecord) =>
    (record.expiresAt + PAYMENT_REQUEST_RETENTION_SECONDS) * 1000;
  const replace = (record: PaymentRequestRecord) =>
    requests.set(record.paymentRequestId, { value: record, expiresAtMs: retainedUntil(record) });

  const stores: PaymentRequestStore & PushedRequestStore = {
    async createPaymentRequest(record) {
      replace({ ...record, status: 'pending' });
    },
    async findPaymentRequest(paymentRequestId) {
      return requests.get(paymentRequestId)?.value;
    },
    async decidePaymentRequest(paymentRequestId, decision) {
      const record = requests.get(paymentRequestId)?.value;
      if (record === undefined) return 'unknown';
      if (record.status !== 'pending') return 'not_pending';
      if (decision.decidedAt >= record.expiresAt) return 'expired';
      const { outcome, ...fields } = decision;
      replace({ ...record, ...fields, status: outcome });
      return 'decided';
    },
    async bindPaymentToken(paymentRequestId, token) {
      const record = requests.get(paymentRequestId)?.value;
      if (record !== undefined) replace({ ...record, token });
    },
    async completePaymentRequest(paymentRequestId, status, completedAt) {
      const record = requests.get(paymentRequestId)?.value;
      if (record === undefined) return 'unknown';
      if (record.status !== 'approved') return 'not_approved';
      if (record.grantId !== undefined) revokeGrant(record.grantId);
      replace({ ...record, status, completedAt });
      return 'completed';
    },

    async savePushedRequest(requestUri, record) {
      pushed.set(hashSecret(requestUri), { value: record, expiresAtMs: record.expiresAt * 1000 });
    },
    async usePushedRequest(requestUri, clientId) {
      const key = hashSecret(requestUri);
      const record = pushed.get(key)?.value;
      if (record === undefined) return { outcome: 'unknown' };
      if (record.clientId !== clientId) return { outcome: 'foreign' };
      pushed.delete(key);
      return { outcome: 'used', record };
    },
  };
  return { stores, maps: [requests, pushed] };
}
