import type { DemoQwacName } from '@psd2/test-pki';
import { encodeFormPart, expandDeepJson, safeForUri } from './hostile.js';

/*
 * A fuzz request as the generators describe it, before it meets the running system. Real values (a
 * registered client_id, a fresh code and its PKCE verifier, a live refresh token, a session's CSRF
 * token) are not known when fast-check generates, so generators leave markers in any string, and the
 * runner replaces them with values from the live state just before sending. Encoding happens after
 * that replacement, so a marker inside a form value is encoded like the value it stands for.
 */

/** What a marker stands for, resolved against the request's subject (see `Subject`). */
export const LIVE_VALUES = [
  'clientId',
  'redirectUri',
  'scope',
  'code',
  'verifier',
  'challenge',
  'accessToken',
  'refreshToken',
  'registrationAccessToken',
  'csrf',
  'session',
  'psuId',
  'requestUri',
  'spentRequestUri',
  'paymentRequestId',
  'otherClientId',
] as const;
export type LiveValue = (typeof LIVE_VALUES)[number];

const MARK_OPEN = '\ue000';
const MARK_CLOSE = '\ue001';
const MARKER = new RegExp(`${MARK_OPEN}(${LIVE_VALUES.join('|')})${MARK_CLOSE}`, 'g');

/** A marker to put in any generated string; `live('code')` becomes a real, unused authorization code. */
export function live(value: LiveValue): string {
  return `${MARK_OPEN}${value}${MARK_CLOSE}`;
}

/**
 * Which real thing a request is about: a stable registered client, a fresh consent (code + verifier),
 * a token pair, a client made to be managed (RFC 7592) and perhaps deleted, or a PSU's page session
 * at a given stage; for payments, the pisp authorization_code client, a request_uri pushed through the
 * edge (RFC 9126) with the client that pushed it, or a payment request registered over the internal
 * gRPC API. `pick` chooses among the live ones, so the same seed picks the same way.
 */
export type Subject =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'client' | 'consent' | 'tokens' | 'managed' | 'pisp' | 'pushed' | 'payment';
      readonly pick: number;
    }
  | { readonly kind: 'session'; readonly stage: SessionStage; readonly pick: number };

export type SessionStage = 'sandbox' | 'password' | 'otp' | 'consent';

/** A certificate choice: a demo QWAC, none (a PSU's browser), or the one the subject belongs to. */
export type CertificateChoice = DemoQwacName | 'owner' | undefined;

export type FormEncoding = Parameters<typeof encodeFormPart>[1];

export type Body =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'form';
      readonly params: readonly (readonly [string, string])[];
      readonly encoding: FormEncoding;
    }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'text'; readonly text: string };

export interface FuzzRequest {
  readonly method: string;
  /** Path segments after the leading slash, each already in its wire form except for markers. */
  readonly path: string;
  readonly query: readonly (readonly [string, string])[];
  readonly queryEncoding: FormEncoding;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Body;
  /** Bytes of the body text: what the charset says, or not. */
  readonly bodyEncoding: BufferEncoding;
  readonly certificate: CertificateChoice;
  readonly subject: Subject;
  /** Straight to a service, bypassing the edge, to fuzz the forwarded-certificate (XFCC) parser. */
  readonly direct?: 'token' | 'registration' | 'revocation';
}

/** The values a request's markers stand for; `undefined` where the subject has none. */
export type LiveValues = Partial<Record<LiveValue, string>>;

export function resolveMarkers(text: string, values: LiveValues): string {
  return text.replace(MARKER, (_, name: LiveValue) => values[name] ?? '');
}

function resolveJson(value: unknown, values: LiveValues): unknown {
  if (typeof value === 'string') return resolveMarkers(value, values);
  if (Array.isArray(value)) return value.map((item) => resolveJson(item, values));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [resolveMarkers(key, values), resolveJson(item, values)]),
    );
  }
  return value;
}

function stringifyJson(value: unknown): string {
  return expandDeepJson(JSON.stringify(value) ?? 'null');
}

function encodePairs(pairs: readonly (readonly [string, string])[], how: FormEncoding, values: LiveValues) {
  return pairs
    .map(([name, value]) => {
      const n = encodeFormPart(resolveMarkers(name, values), how);
      return `${n}=${encodeFormPart(resolveMarkers(value, values), how)}`;
    })
    .join('&');
}

export interface WireRequest {
  readonly method: string;
  /** Path and query as sent: every byte in 0x21–0xFF, as HTTP/1.1 request targets must be. */
  readonly target: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | undefined;
}

/** Bytes outside what a request target may carry are percent-encoded, as a browser would. */
function wireTarget(text: string): string {
  // Regular expressions rather than a loop over characters: values run to 70 000 characters, and this
  // was the harness's largest cost.
  const safe = safeForUri(text);
  return VISIBLE_ASCII.test(safe) ? safe : safe.replace(NOT_VISIBLE_ASCII, encodeURIComponent);
}
const VISIBLE_ASCII = /^[\x21-\x7e]*$/;
const NOT_VISIBLE_ASCII = /[^\x21-\x7e]/gu;

/** Header values as bytes: latin-1 only, no CR, LF or NUL (the client library refuses those). */
function wireHeaderValue(text: string): string {
  return text.replace(CR_LF_NUL, ' ').replace(BEYOND_LATIN1, '?').trim();
}
const CR_LF_NUL = /[\0\n\r]/g;
const BEYOND_LATIN1 = /[^\0-\xff]/gu;

/** Renders a request after its markers are resolved: the exact method, target, headers and bytes. */
export function toWire(request: FuzzRequest, values: LiveValues): WireRequest {
  const query = encodePairs(request.query, request.queryEncoding, values);
  const path = resolveMarkers(request.path, values);
  const target = wireTarget(query === '' ? path : `${path}?${query}`);
  const headers: Record<string, string | string[]> = {};
  for (const [name, raw] of request.headers) {
    const value = wireHeaderValue(resolveMarkers(raw, values));
    const key = name.toLowerCase();
    const before = headers[key];
    headers[key] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
  }
  let text: string | undefined;
  switch (request.body.kind) {
    case 'form':
      text = encodePairs(request.body.params, request.body.encoding, values);
      break;
    case 'json':
      text = stringifyJson(resolveJson(request.body.value, values));
      break;
    case 'text':
      text = resolveMarkers(request.body.text, values);
      break;
    default:
      text = undefined;
  }
  return {
    method: request.method,
    target,
    headers,
    body: text === undefined ? undefined : Buffer.from(text, request.bodyEncoding),
  };
}
