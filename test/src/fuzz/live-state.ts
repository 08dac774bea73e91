import { createHash, randomBytes } from 'node:crypto';
import type { PaymentConsentApi } from '@psd2/payment-consent-proto';
import type { DemoQwacName } from '@psd2/test-pki';
import { deleteClient, json, mintConsent, mintSession, mintTokenPair, registerClient, text } from './mint.js';
import { PaymentPools, type PaymentPoolTargets } from './mint-payment.js';
import type { LiveValues, SessionStage, Subject } from './request.js';
import type { Transport, WireResponse } from './transport.js';

/*
 * The real things fuzz requests refer to, made through the edge the way a TPP and a PSU make them:
 * registered clients, fresh consents (a sandbox grant gives a code), token pairs, clients to manage
 * and delete, and PSU sessions at each sign-in stage. Refilled before every chunk of requests, and
 * fed by what the fuzz itself obtains (a 201 registration, a 200 token response).
 */

export const REDIRECT_URI = 'https://tpp.example/cb';
export const MINT_PSUS = ['psu-mint-1', 'psu-mint-2', 'psu-mint-3', 'psu-mint-4'] as const;
export const SANDBOX_PASSWORD = 'sandbox-password';
export const SANDBOX_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export interface ClientRecord {
  readonly clientId: string;
  readonly owner: DemoQwacName;
  readonly scope: string;
  registrationAccessToken?: string;
}
export interface ConsentRecord extends ClientRecord {
  readonly code: string;
  readonly verifier: string;
}
export interface TokenRecord extends ClientRecord {
  readonly accessToken: string;
  readonly refreshToken?: string;
}
export interface SessionRecord {
  readonly session: string;
  readonly csrf: string;
  readonly psuId?: string;
}

/** The stable clients: every role's grants, in several organisations. */
const STABLE_CLIENTS: readonly { owner: DemoQwacName; scope: string; grants: string[] }[] = [
  {
    owner: 'tpp-a',
    scope: 'aisp extended_transaction_history',
    grants: ['authorization_code', 'refresh_token'],
  },
  { owner: 'tpp-a', scope: 'cbpii', grants: ['authorization_code', 'refresh_token'] },
  { owner: 'tpp-a', scope: 'pisp', grants: ['client_credentials'] },
  { owner: 'tpp-b', scope: 'aisp', grants: ['authorization_code', 'refresh_token'] },
  { owner: 'psp-pi', scope: 'pisp', grants: ['client_credentials'] },
  { owner: 'psp-ic', scope: 'cbpii', grants: ['authorization_code', 'refresh_token'] },
  // The PISP's code client for payment consents (PAR with authorization_details, or the STET path).
  { owner: 'psp-pi', scope: 'pisp', grants: ['authorization_code'] },
];
const PISP_CODE_CLIENT = STABLE_CLIENTS.length - 1;

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A fixed pair for requests that need a well-formed verifier but no particular code. */
const SPARE_PKCE = pkcePair();

export interface PoolTargets extends PaymentPoolTargets {
  readonly consents?: number;
  readonly tokens?: number;
  readonly managed?: number;
  readonly sessions?: Partial<Record<SessionStage, number>>;
}

export class LiveState {
  private clients: ClientRecord[] = [];
  private consents: ConsentRecord[] = [];
  private tokens: TokenRecord[] = [];
  private managed: ClientRecord[] = [];
  /** Clients the fuzz registered itself: deleted at the next refill, to stay under the per-organisation cap. */
  private created: ClientRecord[] = [];
  private sessions: Record<SessionStage, SessionRecord[]> = {
    sandbox: [],
    password: [],
    otp: [],
    consent: [],
  };
  private mintPsu = 0;
  private readonly payments: PaymentPools;

  constructor(
    private readonly transport: Transport,
    paymentApi?: PaymentConsentApi,
  ) {
    this.payments = new PaymentPools(transport, paymentApi);
  }

  /** The pisp authorization_code client (psp-pi). */
  private get pispClient(): ClientRecord {
    return this.clients[PISP_CODE_CLIENT] as ClientRecord;
  }

  async setUp(): Promise<void> {
    for (const spec of STABLE_CLIENTS)
      this.clients.push(await registerClient(this.transport, spec.owner, spec.scope, spec.grants));
  }

  /** Brings every pool an endpoint uses to its target with fresh values (codes live 60 s, single use). */
  async refill(targets: PoolTargets): Promise<void> {
    const leftovers = this.created.splice(0);
    await Promise.all(leftovers.map((client) => deleteClient(this.transport, client)));
    const withCode = this.clients.filter((client) => !client.scope.includes('pisp'));
    await this.payments.refill(this.pispClient, withCode, targets);
    const pickClient = (i: number) => withCode[i % withCode.length] as ClientRecord;
    const count = (n: number | undefined) => Array.from({ length: n ?? 0 }, (_, i) => i);
    // Every fourth consent and token pair a payment's (pisp by the code flow, STET path).
    const payment = async (i: number) =>
      i % 4 === 3 ? await this.payments.registerOne(this.pispClient.clientId) : undefined;
    const consentClient = (i: number, id: string | undefined) =>
      id === undefined ? pickClient(i) : this.pispClient;
    if (targets.consents !== undefined)
      this.consents = await Promise.all(
        count(targets.consents).map(async (i) => {
          const id = await payment(i);
          return mintConsent(this.transport, consentClient(i, id), id);
        }),
      );
    if (targets.tokens !== undefined) {
      const minted = await Promise.all(
        count(targets.tokens).map(async (i) => {
          const id = await payment(i);
          return mintTokenPair(this.transport, consentClient(i + 1, id), id);
        }),
      );
      this.tokens = [...minted.flatMap((t) => (t ? [t] : [])), ...this.tokens].slice(0, 4 * targets.tokens);
    }
    if (targets.managed !== undefined) {
      await Promise.all(this.managed.map((client) => deleteClient(this.transport, client)));
      this.managed = await Promise.all(
        count(targets.managed).map((i) =>
          registerClient(this.transport, i % 2 === 0 ? 'tpp-a' : 'tpp-b', 'aisp', [
            'authorization_code',
            'refresh_token',
          ]),
        ),
      );
    }
    for (const stage of ['sandbox', 'password', 'otp', 'consent'] as const) {
      const wanted = targets.sessions?.[stage];
      if (wanted === undefined) continue;
      // The second of every four sessions on a payment: the steps' payment code (dynamic linking).
      const made = await Promise.all(
        count(wanted).map(async (i) => {
          const psu = MINT_PSUS[this.mintPsu++ % MINT_PSUS.length] as string;
          const id = await payment(i + 2);
          return mintSession(this.transport, stage, consentClient(i, id), psu, id);
        }),
      );
      const fresh = made.flatMap((s) => (s ? [s] : []));
      // A one-time code is good once per 30 s step: keep the last sessions when none could be made.
      if (fresh.length > 0) this.sessions[stage] = fresh;
    }
  }

  /** The owner's certificate and the marker values of a subject, `undefined` if its pool is empty. */
  valuesFor(subject: Subject): { owner: DemoQwacName | undefined; values: LiveValues } {
    const from = <T>(pool: readonly T[], pick: number): T | undefined =>
      pool[pick % Math.max(1, pool.length)];
    const base = (client: ClientRecord | undefined): LiveValues =>
      client === undefined
        ? {}
        : {
            clientId: client.clientId,
            redirectUri: REDIRECT_URI,
            scope: client.scope,
            verifier: SPARE_PKCE.verifier,
            challenge: SPARE_PKCE.challenge,
            ...(client.registrationAccessToken
              ? { registrationAccessToken: client.registrationAccessToken }
              : {}),
          };
    switch (subject.kind) {
      case 'client': {
        const client = from(this.clients, subject.pick);
        return { owner: client?.owner, values: base(client) };
      }
      case 'managed': {
        const client = from(this.managed, subject.pick);
        return { owner: client?.owner, values: base(client) };
      }
      case 'consent': {
        const consent = from(this.consents, subject.pick);
        const values = consent ? { ...base(consent), code: consent.code, verifier: consent.verifier } : {};
        return { owner: consent?.owner, values };
      }
      case 'tokens': {
        const pair = from(this.tokens, subject.pick);
        const values: LiveValues = pair
          ? {
              ...base(pair),
              accessToken: pair.accessToken,
              ...(pair.refreshToken ? { refreshToken: pair.refreshToken } : {}),
            }
          : {};
        return { owner: pair?.owner, values };
      }
      case 'pisp':
        return { owner: this.pispClient.owner, values: this.withOther(base(this.pispClient), subject.pick) };
      case 'pushed': {
        const { client, requestUri, spentRequestUri } = this.payments.pushedAt(subject.pick);
        const values = { ...this.withOther(base(client), subject.pick), requestUri, spentRequestUri };
        return { owner: client?.owner, values };
      }
      case 'payment': {
        const paymentRequestId = this.payments.paymentAt(subject.pick);
        const values = { ...this.withOther(base(this.pispClient), subject.pick), paymentRequestId };
        return { owner: this.pispClient.owner, values };
      }
      case 'session': {
        const session = from(this.sessions[subject.stage], subject.pick);
        const client = from(this.clients, subject.pick);
        const values: LiveValues = session
          ? {
              ...base(client),
              session: session.session,
              csrf: session.csrf,
              psuId: session.psuId ?? 'psu-alice',
            }
          : base(client);
        return { owner: client?.owner, values };
      }
      default:
        return {
          owner: undefined,
          values: { verifier: SPARE_PKCE.verifier, challenge: SPARE_PKCE.challenge },
        };
    }
  }

  /** Adds `otherClientId`: a stable client that is not the subject's. */
  private withOther(values: LiveValues, pick: number): LiveValues {
    const others = this.clients.filter((client) => client.clientId !== values.clientId);
    return { ...values, otherClientId: (others[pick % others.length] as ClientRecord).clientId };
  }

  /** Keeps what a fuzz request obtained, so that later requests use it (and nothing is left behind). */
  harvest(subject: Subject, certificate: DemoQwacName | undefined, response: WireResponse): void {
    if (response.status !== 200 && response.status !== 201) return;
    const body = json(response);
    const clientId = text(body.client_id);
    const rat = text(body.registration_access_token);
    if (response.status === 201 && clientId && rat && certificate) {
      this.created.push({
        clientId,
        owner: certificate,
        scope: text(body.scope) ?? '',
        registrationAccessToken: rat,
      });
      return;
    }
    if (clientId && rat) {
      const known = this.managed.find((client) => client.clientId === clientId);
      if (known) known.registrationAccessToken = rat;
      return;
    }
    const accessToken = text(body.access_token);
    if (accessToken && subject.kind !== 'none' && subject.kind !== 'session') {
      const { owner, values } = this.valuesFor(subject);
      if (owner && values.clientId && this.tokens.length < 200) {
        const refreshToken = text(body.refresh_token);
        this.tokens.push({
          clientId: values.clientId,
          owner,
          scope: text(body.scope) ?? '',
          accessToken,
          ...(refreshToken ? { refreshToken } : {}),
        });
      }
    }
  }

  /** Every client the run still holds a registration access token for, to delete at the end. */
  async tearDown(): Promise<void> {
    await Promise.all(
      [...this.created.splice(0), ...this.managed.splice(0)].map((c) => deleteClient(this.transport, c)),
    );
  }
}
