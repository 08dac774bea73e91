import { type PaymentConsentApi, PaymentKind } from '@psd2/payment-consent-proto';
import { VALID_DETAIL } from './endpoints/payment-details.js';
import type { ClientRecord } from './live-state.js';
import { pkcePair, REDIRECT_URI } from './live-state.js';
import { json, text } from './mint.js';
import type { Transport } from './transport.js';

/*
 * The payment side of the live state: authorization requests pushed through the edge (RFC 9126, with
 * RFC 9396 payment details for a pisp client), and payment requests registered by "the bank's payment
 * API" over the internal gRPC API (never on the edge), each for a live pisp client.
 */

/** A request_uri pushed by `client` with its certificate; payment details when it is a pisp client. */
export async function mintPushedRequest(
  transport: Transport,
  client: ClientRecord,
): Promise<string | undefined> {
  const { challenge } = pkcePair();
  const payment = client.scope.includes('pisp');
  const response = await transport.send(client.owner, {
    method: 'POST',
    target: '/oauth2/par',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from(
      new URLSearchParams({
        client_id: client.clientId,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: client.scope,
        state: 'fuzz-state',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...(payment ? { authorization_details: JSON.stringify([VALID_DETAIL]) } : {}),
      }).toString(),
    ),
  });
  return response.status === 201 ? text(json(response).request_uri) : undefined;
}

let resourceCounter = 0;

/** A pending payment request for `clientId`, as the payment API registers it (STET path). */
export async function mintPaymentRequest(
  api: PaymentConsentApi,
  clientId: string,
  cancel: boolean,
): Promise<string | undefined> {
  resourceCounter += 1;
  try {
    const registered = await api.register({
      clientId,
      resourceId: `fuzz-${process.pid}-${resourceCounter}`,
      kind: cancel ? PaymentKind.PAYMENT_KIND_CANCEL : PaymentKind.PAYMENT_KIND_INITIATE,
      details: {
        instructedAmount: { currency: 'EUR', amount: '123.50' },
        creditorName: 'Merchant A',
        creditorIban: 'DE02100100109307118603',
        remittanceInformation: 'Ref Number Merchant',
        ...(cancel ? { paymentId: `pay-${resourceCounter}` } : {}),
      },
      // Short: the fuzz leaves many undecided; they expire soon after the run.
      expiresInSeconds: 120,
      language: 0,
    });
    return registered.paymentRequestId;
  } catch {
    return undefined;
  }
}

export interface PaymentPoolTargets {
  /** request_uris pushed per chunk, by the pisp client (payment details) and by other code clients. */
  readonly pushed?: number;
  /** Payment requests registered over the gRPC API per chunk. */
  readonly payments?: number;
}

/**
 * The live request_uris (single use: a page consumes one) with the client that pushed each, those of
 * earlier chunks (used or expired by now), and the live payment requests of the pisp client.
 */
export class PaymentPools {
  private pushed: { requestUri: string; client: ClientRecord }[] = [];
  private spent: string[] = [];
  private payments: string[] = [];

  constructor(
    private readonly transport: Transport,
    private readonly api: PaymentConsentApi | undefined,
  ) {}

  async refill(pisp: ClientRecord, others: readonly ClientRecord[], targets: PaymentPoolTargets) {
    const count = (n: number | undefined) => Array.from({ length: n ?? 0 }, (_, i) => i);
    if (targets.pushed !== undefined) {
      this.spent = [...this.pushed.map((p) => p.requestUri), ...this.spent].slice(0, 64);
      const made = await Promise.all(
        count(targets.pushed).map(async (i) => {
          const client = i % 3 === 2 ? (others[i % others.length] as ClientRecord) : pisp;
          const requestUri = await mintPushedRequest(this.transport, client);
          return requestUri === undefined ? [] : [{ requestUri, client }];
        }),
      );
      this.pushed = made.flat();
      if (this.pushed.length === 0 && targets.pushed > 0)
        throw new Error('fuzz set-up: no authorization request could be pushed to /oauth2/par');
    }
    const api = this.api;
    if (targets.payments !== undefined && api !== undefined) {
      const made = await Promise.all(
        count(targets.payments).map((i) => mintPaymentRequest(api, pisp.clientId, i % 4 === 3)),
      );
      this.payments = made.flatMap((id) => (id === undefined ? [] : [id]));
      if (this.payments.length === 0 && targets.payments > 0)
        throw new Error('fuzz set-up: no payment request could be registered over the gRPC API');
    }
  }

  /** A live request_uri and its client (undefined when none), and one of an earlier chunk. */
  pushedAt(pick: number): { client: ClientRecord | undefined; requestUri: string; spentRequestUri: string } {
    const entry = this.pushed[pick % Math.max(1, this.pushed.length)];
    const spent =
      this.spent[pick % Math.max(1, this.spent.length)] ??
      'urn:ietf:params:oauth:request_uri:never-pushed-0000000000000000';
    return { client: entry?.client, requestUri: entry?.requestUri ?? '', spentRequestUri: spent };
  }

  /** A fresh payment request of the pisp client, for a consent to be minted on it. */
  async registerOne(clientId: string): Promise<string | undefined> {
    return this.api === undefined ? undefined : mintPaymentRequest(this.api, clientId, false);
  }

  paymentAt(pick: number): string {
    return this.payments[pick % Math.max(1, this.payments.length)] ?? '';
  }
}
