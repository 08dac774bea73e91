import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';

/*
 * The authorization code flow without a browser, as raw HTTP through the edge: the PSU's browser opens
 * the sandbox page and grants on the simulated customer picker (session cookie and CSRF token, as the
 * page's form sends them), the TPP exchanges the code with PKCE over its QWAC, and the bank's API
 * introspects the access token over its own. Every step is timed; any unexpected answer throws, naming
 * the step and what came back, so that a load test never counts a refusal as a flow.
 */

export const CODE_FLOW_STEPS = ['page', 'consent', 'token', 'introspection'] as const;
export type CodeFlowStep = (typeof CODE_FLOW_STEPS)[number];
export type CodeFlowTimings = Readonly<Record<CodeFlowStep, number>>;

export interface CodeFlowResult {
  /** Each step's duration, milliseconds. */
  readonly timings: CodeFlowTimings;
  readonly accessToken: string;
  readonly refreshToken?: string;
}

export interface CodeFlowParties {
  /** The edge's origin, where the PSU's browser and the TPP go. */
  readonly origin: string;
  /** Where the bank's API introspects (today the edge too). */
  readonly introspectionOrigin: string;
  /** The PSU's browser: TLS without a client certificate. */
  readonly browser: Dispatcher;
  /** The TPP's connections, presenting the QWAC the client was registered with. */
  readonly tpp: Dispatcher;
  /** The bank's API, presenting a QWAC allowed to introspect. */
  readonly bank: Dispatcher;
}

export interface CodeFlowRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  /** A sandbox PSU the page offers (SANDBOX_PSUS). */
  readonly psuId: string;
  /**
   * The browser's address, sent as X-Forwarded-For (the edge appends the real peer, the services
   * trust the edge): the pages count sessions per address, so a load test spreads its flows over
   * many customers' addresses as real traffic does. It must not be loopback or private.
   */
  readonly browserAddress: string;
}

export class CodeFlowError extends Error {
  constructor(
    readonly step: CodeFlowStep,
    readonly status: number,
    detail: string,
  ) {
    super(`code flow, ${step}: HTTP ${status}: ${detail.slice(0, 300)}`);
    this.name = 'CodeFlowError';
  }
}

const SESSION_COOKIE = /^(__Host-psd2-authz=[^;]+)/;
const CSRF_FIELD = /name="csrf_token" value="([^"]+)"/;
const FORM = 'application/x-www-form-urlencoded';

/** The N-th address of the documentation prefix 2001:db8::/32, one /64 each (the pages count per /64). */
export function documentationAddress(index: number): string {
  const high = Math.floor(index / 0x10000) % 0x10000;
  return `2001:db8:${high.toString(16)}:${(index % 0x10000).toString(16)}::1`;
}

interface Answer {
  readonly status: number;
  readonly headers: Dispatcher.ResponseData['headers'];
  readonly text: string;
}

async function timed(
  timings: Record<CodeFlowStep, number>,
  step: CodeFlowStep,
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
): Promise<Answer> {
  const started = performance.now();
  const response = await dispatcher.request(options);
  const text = await response.body.text();
  timings[step] = performance.now() - started;
  return { status: response.statusCode, headers: response.headers, text };
}

const headerList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** One whole flow; resolves with each step's duration and the tokens the TPP got. */
export async function runCodeFlow(
  parties: CodeFlowParties,
  request: CodeFlowRequest,
): Promise<CodeFlowResult> {
  const timings: Record<CodeFlowStep, number> = { page: 0, consent: 0, token: 0, introspection: 0 };
  const verifier = randomBytes(32).toString('base64url');
  const forwarded = { 'x-forwarded-for': request.browserAddress };
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });

  const page = await timed(timings, 'page', parties.browser, {
    origin: parties.origin,
    path: `/oauth2/fr/sandbox/signin.html?${query}`,
    method: 'GET',
    headers: forwarded,
  });
  const cookie = headerList(page.headers['set-cookie'])
    .map((line) => SESSION_COOKIE.exec(line)?.[1])
    .find((value) => value !== undefined);
  const csrf = CSRF_FIELD.exec(page.text)?.[1];
  if (page.status !== 200 || cookie === undefined || csrf === undefined)
    throw new CodeFlowError('page', page.status, page.text);

  const consent = await timed(timings, 'consent', parties.browser, {
    origin: parties.origin,
    path: '/oauth2/fr/sandbox/consent',
    method: 'POST',
    headers: { ...forwarded, 'content-type': FORM, cookie, origin: parties.origin },
    body: new URLSearchParams({ csrf_token: csrf, decision: 'grant', psu: request.psuId }).toString(),
  });
  const location = headerList(consent.headers.location)[0] ?? '';
  const code = location.startsWith(request.redirectUri) ? new URL(location).searchParams.get('code') : null;
  if (consent.status !== 303 || code === null)
    throw new CodeFlowError('consent', consent.status, `${location} ${consent.text}`);

  const exchange = await timed(timings, 'token', parties.tpp, {
    origin: parties.origin,
    path: '/oauth2/token',
    method: 'POST',
    headers: { 'content-type': FORM },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: request.redirectUri,
      code_verifier: verifier,
      client_id: request.clientId,
    }).toString(),
  });
  const tokens = exchange.status === 200 ? parsed(exchange.text) : {};
  const accessToken = typeof tokens.access_token === 'string' ? tokens.access_token : undefined;
  if (accessToken === undefined) throw new CodeFlowError('token', exchange.status, exchange.text);

  const introspection = await timed(timings, 'introspection', parties.bank, {
    origin: parties.introspectionOrigin,
    path: '/oauth2/introspect',
    method: 'POST',
    headers: { 'content-type': FORM },
    body: new URLSearchParams({ token: accessToken }).toString(),
  });
  if (introspection.status !== 200 || !isActive(introspection.text))
    throw new CodeFlowError('introspection', introspection.status, introspection.text);
  const refreshToken = typeof tokens.refresh_token === 'string' ? tokens.refresh_token : undefined;
  return { timings, accessToken, ...(refreshToken === undefined ? {} : { refreshToken }) };
}

function parsed(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const isActive = (text: string): boolean => parsed(text).active === true;
