import { createHash, randomBytes } from 'node:crypto';
import { totpAt } from '@psd2/psu-directory';
import type { DemoQwacName } from '@psd2/test-pki';
import type { LiveValues, SessionStage, Subject } from './request.js';
import { headerOf, type Transport, type WireResponse } from './transport.js';

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
interface ConsentRecord extends ClientRecord {
  readonly code: string;
  readonly verifier: string;
}
interface TokenRecord extends ClientRecord {
  readonly accessToken: string;
  readonly refreshToken?: string;
}
interface SessionRecord {
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
];

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A fixed pair for requests that need a well-formed verifier but no particular code. */
const SPARE_PKCE = pkcePair();

export interface PoolTargets {
  readonly consents?: number;
  readonly tokens?: number;
  readonly managed?: number;
  readonly sessions?: Partial<Record<SessionStage, number>>;
}

const form = (params: Record<string, string>) => Buffer.from(new URLSearchParams(params).toString());
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function json(response: WireResponse): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(response.body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

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

  constructor(private readonly transport: Transport) {}

  async setUp(): Promise<void> {
    for (const spec of STABLE_CLIENTS)
      this.clients.push(await this.register(spec.owner, spec.scope, spec.grants));
  }

  /** Brings every pool an endpoint uses to its target with fresh values (codes live 60 s, single use). */
  async refill(targets: PoolTargets): Promise<void> {
    const leftovers = this.created.splice(0);
    await Promise.all(leftovers.map((client) => this.deleteClient(client)));
    const withCode = this.clients.filter((client) => !client.scope.includes('pisp'));
    const pickClient = (i: number) => withCode[i % withCode.length] as ClientRecord;
    const count = (n: number | undefined) => Array.from({ length: n ?? 0 }, (_, i) => i);
    if (targets.consents !== undefined)
      this.consents = await Promise.all(count(targets.consents).map((i) => this.consent(pickClient(i))));
    if (targets.tokens !== undefined) {
      const minted = await Promise.all(count(targets.tokens).map((i) => this.tokenPair(pickClient(i + 1))));
      this.tokens = [...minted.flatMap((t) => (t ? [t] : [])), ...this.tokens].slice(0, 4 * targets.tokens);
    }
    if (targets.managed !== undefined) {
      await Promise.all(this.managed.map((client) => this.deleteClient(client)));
      this.managed = await Promise.all(
        count(targets.managed).map((i) =>
          this.register(i % 2 === 0 ? 'tpp-a' : 'tpp-b', 'aisp', ['authorization_code', 'refresh_token']),
        ),
      );
    }
    for (const stage of ['sandbox', 'password', 'otp', 'consent'] as const) {
      const wanted = targets.sessions?.[stage];
      if (wanted === undefined) continue;
      const made = await Promise.all(count(wanted).map((i) => this.session(stage, pickClient(i))));
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
      [...this.created.splice(0), ...this.managed.splice(0)].map((c) => this.deleteClient(c)),
    );
  }

  private async register(owner: DemoQwacName, scope: string, grants: string[]): Promise<ClientRecord> {
    const response = await this.transport.send(owner, {
      method: 'POST',
      target: '/oauth2/register',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(
        JSON.stringify({
          ...(grants.includes('authorization_code') ? { redirect_uris: [REDIRECT_URI] } : {}),
          grant_types: grants,
          response_types: grants.includes('authorization_code') ? ['code'] : [],
          token_endpoint_auth_method: 'tls_client_auth',
          scope,
          client_name: `Fuzz ${owner} ${scope}`,
        }),
      ),
    });
    const body = json(response);
    const clientId = text(body.client_id);
    if (response.status !== 201 || clientId === undefined)
      throw new Error(
        `fuzz set-up: registering a ${scope} client for ${owner} got ${response.status} ${response.body}`,
      );
    return { clientId, owner, scope, registrationAccessToken: text(body.registration_access_token) ?? '' };
  }

  private async deleteClient(client: ClientRecord): Promise<void> {
    await this.transport
      .send(client.owner, {
        method: 'DELETE',
        target: `/oauth2/register/${encodeURIComponent(client.clientId)}`,
        headers: { authorization: `Bearer ${client.registrationAccessToken ?? ''}` },
        body: undefined,
      })
      .catch(() => undefined);
  }

  /** Opens a PSU session on the sandbox or bank page; `challenge` binds the code it may lead to. */
  private async openSession(flow: 'sandbox' | 'bank', client: ClientRecord, challenge: string) {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: REDIRECT_URI,
      scope: client.scope,
      state: 'fuzz-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const page = flow === 'sandbox' ? 'sandbox/signin.html' : 'banque/oauth2_authorization.aspx';
    const response = await this.transport.send(undefined, {
      method: 'GET',
      target: `/oauth2/fr/${page}?${query}`,
      headers: {},
      body: undefined,
    });
    return sessionOf(response);
  }

  private async consent(client: ClientRecord): Promise<ConsentRecord> {
    const pkce = pkcePair();
    const session = await this.openSession('sandbox', client, pkce.challenge);
    if (session === undefined) return { ...client, code: 'no-session', verifier: pkce.verifier };
    const response = await this.transport.send(undefined, {
      method: 'POST',
      target: '/oauth2/fr/sandbox/consent',
      headers: { ...FORM, cookie: `__Host-psd2-authz=${session.session}` },
      body: form({ csrf_token: session.csrf, decision: 'grant', psu: 'psu-alice' }),
    });
    const location = headerOf(response, 'location');
    const code = location.startsWith(REDIRECT_URI) ? new URL(location).searchParams.get('code') : null;
    return { ...client, code: code ?? 'no-code', verifier: pkce.verifier };
  }

  private async tokenPair(client: ClientRecord): Promise<TokenRecord | undefined> {
    const consent = await this.consent(client);
    const response = await this.transport.send(client.owner, {
      method: 'POST',
      target: '/oauth2/token',
      headers: FORM,
      body: form({
        grant_type: 'authorization_code',
        code: consent.code,
        redirect_uri: REDIRECT_URI,
        code_verifier: consent.verifier,
        client_id: client.clientId,
      }),
    });
    const body = json(response);
    const accessToken = text(body.access_token);
    const refreshToken = text(body.refresh_token);
    if (accessToken === undefined) return undefined;
    return { ...client, accessToken, ...(refreshToken ? { refreshToken } : {}) };
  }

  private async session(stage: SessionStage, client: ClientRecord): Promise<SessionRecord | undefined> {
    const { challenge } = pkcePair();
    const opened = await this.openSession(stage === 'sandbox' ? 'sandbox' : 'bank', client, challenge);
    if (opened === undefined || stage === 'sandbox' || stage === 'password') return opened;
    const psuId = MINT_PSUS[this.mintPsu++ % MINT_PSUS.length] as string;
    const post = (path: string, session: string, params: Record<string, string>) =>
      this.transport.send(undefined, {
        method: 'POST',
        target: path,
        headers: { ...FORM, cookie: `__Host-psd2-authz=${session}` },
        body: form({ csrf_token: opened.csrf, ...params }),
      });
    const signedIn = await post('/oauth2/fr/banque/signin', opened.session, {
      customer_id: psuId,
      password: SANDBOX_PASSWORD,
    });
    if (signedIn.status !== 303) return undefined;
    if (stage === 'otp') return { ...opened, psuId };
    const otp = totpAt(SANDBOX_TOTP_SECRET, Math.floor(Date.now() / 1000));
    const verified = await post('/oauth2/fr/banque/otp', opened.session, { otp });
    const renewed = sessionOf(verified);
    return verified.status === 303 && renewed
      ? { session: renewed.session, csrf: opened.csrf, psuId }
      : undefined;
  }
}

/** The session id a page set in its cookie, and the CSRF token its form carries. */
function sessionOf(response: WireResponse): SessionRecord | undefined {
  const cookies = response.headers['set-cookie'];
  const list = Array.isArray(cookies) ? cookies : cookies ? [cookies] : [];
  const session = list.map((c) => /^__Host-psd2-authz=([^;]+)/.exec(c)?.[1]).find((id) => id);
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(response.body)?.[1] ?? '';
  return session === undefined ? undefined : { session, csrf };
}
