import { guarded } from './errors.js';
import {
  PAYMENT_REQUEST_RETENTION_SECONDS,
  type PaymentCompletionOutcome,
  type PaymentDecisionOutcome,
  type PaymentRequestStore,
  type PushedRequestStore,
  type PushedRequestUse,
} from './payment-store.js';
import type {
  BoundPaymentToken,
  PaymentRequestRecord,
  PaymentRequestStatus,
  PushedRequestRecord,
} from './records.js';
import type { RedisClient } from './redis-connection.js';
import type { TokenStoreKeys } from './redis-keys.js';
import {
  BIND_PAYMENT_TOKEN,
  COMPLETE_PAYMENT_REQUEST,
  CREATE_PAYMENT_REQUEST,
  DECIDE_PAYMENT_REQUEST,
  USE_PUSHED_REQUEST,
} from './redis-payment-scripts.js';
import { secondsUntil } from './store.js';

/*
 * Payment consent on Redis, beside the keys of redis-store.ts and under the same prefix:
 *   p:<paymentRequestId>   hash: record (JSON as registered), status, expiresAt,    TTL: expiresAt +
 *                          decision (JSON), grantId, token (JSON), completedAt       PAYMENT_REQUEST_RETENTION_SECONDS
 *   q:<sha256(request_uri)> JSON pushed request                                     TTL: until expiresAt
 * The request_uri is a bearer value for the client that pushed it, so only its hash is a key; the
 * payment request id is an identifier (like a grant id), checked against the client wherever it is used.
 * Updates write fields of the hash and so keep the key's TTL.
 *
 * Redis Cluster: completion ends the request's grant, which lives in a slot of its own. The grant is
 * deleted first and the status written after (COMPLETE_PAYMENT_REQUEST, on the request alone): the token
 * is inactive before anyone hears 'completed', and a completion that fails halfway is simply retried.
 */

type PaymentCommands = RedisClient & {
  createPaymentRequest(key: string, record: string, expiresAt: number, ttl: number): Promise<number>;
  decidePaymentRequest(
    key: string,
    outcome: 'approved' | 'rejected',
    fields: string,
    decidedAt: number,
    grantId: string,
  ): Promise<PaymentDecisionOutcome>;
  bindPaymentToken(key: string, token: string): Promise<number>;
  completePaymentRequest(
    key: string,
    status: 'executed' | 'cancelled',
    completedAt: number,
    grantId: string,
  ): Promise<PaymentCompletionOutcome | 'raced'>;
  usePushedRequest(key: string, clientId: string, nowSeconds: number): Promise<[string, string?]>;
};

/** What a decision writes beside the record (the outcome becomes the `status` field). */
type DecisionFields = Pick<PaymentRequestRecord, 'decidedAt' | 'subject' | 'grantId' | 'scaBinding'>;

export function createRedisPaymentStores(
  client: RedisClient,
  keys: Pick<TokenStoreKeys, 'grant' | 'paymentRequest' | 'pushedRequest'>,
  nowSeconds: () => number,
): PaymentRequestStore & PushedRequestStore {
  const redis = client as PaymentCommands;
  redis.defineCommand('createPaymentRequest', { numberOfKeys: 1, lua: CREATE_PAYMENT_REQUEST });
  redis.defineCommand('decidePaymentRequest', { numberOfKeys: 1, lua: DECIDE_PAYMENT_REQUEST });
  redis.defineCommand('bindPaymentToken', { numberOfKeys: 1, lua: BIND_PAYMENT_TOKEN });
  redis.defineCommand('completePaymentRequest', { numberOfKeys: 1, lua: COMPLETE_PAYMENT_REQUEST });
  redis.defineCommand('usePushedRequest', { numberOfKeys: 1, lua: USE_PUSHED_REQUEST });

  const requestKey = keys.paymentRequest;
  const pushedKey = keys.pushedRequest;
  const retainedUntil = (record: PaymentRequestRecord) =>
    record.expiresAt + PAYMENT_REQUEST_RETENTION_SECONDS;

  return {
    createPaymentRequest: (record) =>
      guarded(async () => {
        await redis.createPaymentRequest(
          requestKey(record.paymentRequestId),
          JSON.stringify({ ...record, status: 'pending' }),
          record.expiresAt,
          secondsUntil(retainedUntil(record), nowSeconds()),
        );
      }),

    findPaymentRequest: (paymentRequestId) =>
      guarded(async (): Promise<PaymentRequestRecord | undefined> => {
        const fields = await redis.hgetall(requestKey(paymentRequestId));
        if (fields.record === undefined) return undefined;
        const record = JSON.parse(fields.record) as PaymentRequestRecord;
        if (retainedUntil(record) <= nowSeconds()) return undefined;
        return {
          ...record,
          ...(fields.decision === undefined ? {} : (JSON.parse(fields.decision) as DecisionFields)),
          status: fields.status as PaymentRequestStatus,
          ...(fields.token === undefined ? {} : { token: JSON.parse(fields.token) as BoundPaymentToken }),
          ...(fields.completedAt === undefined ? {} : { completedAt: Number(fields.completedAt) }),
        };
      }),

    decidePaymentRequest: (paymentRequestId, decision) =>
      guarded(() => {
        const { outcome, ...fields } = decision;
        return redis.decidePaymentRequest(
          requestKey(paymentRequestId),
          outcome,
          JSON.stringify(fields satisfies DecisionFields),
          decision.decidedAt,
          decision.outcome === 'approved' ? decision.grantId : '',
        );
      }),

    bindPaymentToken: (paymentRequestId, token) =>
      guarded(async () => {
        await redis.bindPaymentToken(requestKey(paymentRequestId), JSON.stringify(token));
      }),

    completePaymentRequest: (paymentRequestId, status, completedAt) =>
      guarded(async (): Promise<PaymentCompletionOutcome> => {
        const key = requestKey(paymentRequestId);
        // The grant id is read first and checked again by the script; an approval landing between the
        // two (the only way it can change) makes the script answer 'raced' and the read is redone. Only
        // an approved request's grant is deleted, and completing it is what ends that grant anyway.
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const [current, read] = await redis.hmget(key, 'status', 'grantId');
          const grantId = read ?? '';
          if (current === 'approved' && grantId !== '') await redis.del(keys.grant(grantId));
          const outcome = await redis.completePaymentRequest(key, status, completedAt, grantId);
          if (outcome !== 'raced') return outcome;
        }
        throw new Error('payment request grant kept changing during completion');
      }),

    savePushedRequest: (requestUri, record) =>
      guarded(async () => {
        const ttl = secondsUntil(record.expiresAt, nowSeconds());
        await redis.set(pushedKey(requestUri), JSON.stringify(record), 'EX', ttl);
      }),

    usePushedRequest: (requestUri, clientId) =>
      guarded(async (): Promise<PushedRequestUse> => {
        const [outcome, body] = await redis.usePushedRequest(pushedKey(requestUri), clientId, nowSeconds());
        if (outcome === 'used' && body !== undefined) {
          return { outcome: 'used', record: JSON.parse(body) as PushedRequestRecord };
        }
        return outcome === 'foreign' ? { outcome: 'foreign' } : { outcome: 'unknown' };
      }),
  };
}
