import { totpAt } from '@psd2/psu-directory';
import type { DemoQwacName } from '@psd2/test-pki';
import {
  type ClientRecord,
  type ConsentRecord,
  pkcePair,
  REDIRECT_URI,
  SANDBOX_PASSWORD,
  SANDBOX_TOTP_SECRET,
  type SessionRecord,
  type TokenRecord,
} from './live-state.js';
import type { SessionStage } from './request.js';
import { headerOf, type Transport, type WireResponse } from './transport.js';

/*
 * How the live state is made: through the edge, exactly as a TPP registers and exchanges codes and as
 * a PSU's browser walks the sandbox and bank pages.
 */

const form = (params: Record<string, string>) => Buffer.from(new URLSearchParams(params).toString());

/**
 * The PSU's browser that makes the live sessions has an address of its own (TEST-NET-1, RFC 5737):
 * the edge appends the real peer to X-Forwarded-For and the services trust the edge, so the pages'
 * per-address throttles count the set-up apart from the fuzz's own posts, which they refuse with 429
 * once over the limit.
 */
const MINTING_BROWSER = { 'x-forwarded-for': '192.0.2.10' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded', ...MINTING_BROWSER };

export function json(response: WireResponse): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(response.body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Registers a client through the edge, as its TPP would. */
export async function registerClient(
  transport: Transport,
  owner: DemoQwacName,
  scope: string,
  grants: string[],
): Promise<ClientRecord> {
  const response = await transport.send(owner, {
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

/** Deletes a client with its registration access token (RFC 7592); failures are the fuzz's to find. */
export async function deleteClient(transport: Transport, client: ClientRecord): Promise<void> {
  await transport
    .send(client.owner, {
      method: 'DELETE',
      target: `/oauth2/register/${encodeURIComponent(client.clientId)}`,
      headers: { authorization: `Bearer ${client.registrationAccessToken ?? ''}` },
      body: undefined,
    })
    .catch(() => undefined);
}

/**
 * Opens a PSU session on the sandbox or bank page; `challenge` binds the code it may lead to. With a
 * payment request (registered over the gRPC API), the page is the STET consent-approval URL.
 */
async function openSession(
  transport: Transport,
  flow: 'sandbox' | 'bank',
  client: ClientRecord,
  challenge: string,
  paymentRequestId?: string,
) {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: REDIRECT_URI,
    scope: client.scope,
    state: 'fuzz-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(paymentRequestId === undefined ? {} : { payment_request_id: paymentRequestId }),
  });
  const page = flow === 'sandbox' ? 'sandbox/signin.html' : 'banque/oauth2_authorization.aspx';
  const response = await transport.send(undefined, {
    method: 'GET',
    target: `/oauth2/fr/${page}?${query}`,
    headers: MINTING_BROWSER,
    body: undefined,
  });
  return sessionOf(response);
}

/** A PSU's grant on the sandbox page: a fresh code and its PKCE verifier; a payment's for a pisp client. */
export async function mintConsent(
  transport: Transport,
  client: ClientRecord,
  paymentRequestId?: string,
): Promise<ConsentRecord> {
  const pkce = pkcePair();
  const session = await openSession(transport, 'sandbox', client, pkce.challenge, paymentRequestId);
  if (session === undefined) return { ...client, code: 'no-session', verifier: pkce.verifier };
  const response = await transport.send(undefined, {
    method: 'POST',
    target: '/oauth2/fr/sandbox/consent',
    headers: { ...FORM, cookie: `__Host-psd2-authz=${session.session}` },
    body: form({ csrf_token: session.csrf, decision: 'grant', psu: 'psu-alice' }),
  });
  const location = headerOf(response, 'location');
  const code = location.startsWith(REDIRECT_URI) ? new URL(location).searchParams.get('code') : null;
  return { ...client, code: code ?? 'no-code', verifier: pkce.verifier };
}

/** A consent exchanged for tokens (RFC 6749 §4.1.3) with the owner's certificate. */
export async function mintTokenPair(
  transport: Transport,
  client: ClientRecord,
  paymentRequestId?: string,
): Promise<TokenRecord | undefined> {
  const consent = await mintConsent(transport, client, paymentRequestId);
  const response = await transport.send(client.owner, {
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

/** A bank or sandbox page session brought to `stage`; `psuId` signs in for the later stages. */
export async function mintSession(
  transport: Transport,
  stage: SessionStage,
  client: ClientRecord,
  psuId: string,
  paymentRequestId?: string,
): Promise<SessionRecord | undefined> {
  const { challenge } = pkcePair();
  const flow = stage === 'sandbox' ? 'sandbox' : 'bank';
  const opened = await openSession(transport, flow, client, challenge, paymentRequestId);
  if (opened === undefined || stage === 'sandbox' || stage === 'password') return opened;
  const post = (path: string, session: string, params: Record<string, string>) =>
    transport.send(undefined, {
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

/** The session id a page set in its cookie, and the CSRF token its form carries. */
function sessionOf(response: WireResponse): SessionRecord | undefined {
  const cookies = response.headers['set-cookie'];
  const list = Array.isArray(cookies) ? cookies : cookies ? [cookies] : [];
  const session = list.map((c) => /^__Host-psd2-authz=([^;]+)/.exec(c)?.[1]).find((id) => id);
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(response.body)?.[1] ?? '';
  return session === undefined ? undefined : { session, csrf };
}
