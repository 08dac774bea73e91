import type { ClientRegistry } from '@psd2/client-registry-client';
import type { PsuAuthenticator, PsuLookup } from '@psd2/psu-directory';
import type { TokenStore } from '@psd2/token-store';
import { PageError } from '../authorize/errors.js';
import type { Lang } from '../html/messages.js';
import type { Session, SessionFlow, SessionStore } from '../session/session.js';
import type { PageThrottles } from '../web/throttle.js';

/**
 * What the pages do with the token store: codes and grants, pushed requests, payment decisions, and the
 * customer's consent page (a customer's grants, their last use, withdrawal).
 */
export type PageTokenStore = Pick<
  TokenStore,
  | 'createGrant'
  | 'findGrant'
  | 'revokeGrant'
  | 'listGrantsOfSubject'
  | 'lastUsedOf'
  | 'saveAuthorizationCode'
  | 'usePushedRequest'
  | 'findPaymentRequest'
  | 'decidePaymentRequest'
>;

/** What the pages of an authorization request need from the rest of the system. */
export interface PageDependencies {
  /** `iss` of every authorization response, and the only Origin a form may be posted from. */
  readonly issuer: string;
  readonly mode: 'sandbox' | 'bank';
  /** Sandbox mode only: whether the bank sign-in page is served as well (with the seeded PSUs). */
  readonly bankPageInSandbox: boolean;
  readonly pkceRequired: boolean;
  /** RFC 9126 §5: plain requests refused; only pushed ones (or the payment API's) accepted. */
  readonly parRequired: boolean;
  readonly registry: Pick<ClientRegistry, 'getClient'>;
  readonly tokenStore: PageTokenStore;
  readonly sessions: SessionStore;
  readonly authenticator: PsuAuthenticator;
  readonly psus: PsuLookup;
  readonly throttles: PageThrottles;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
}

export const paths = (lang: Lang) => ({
  sandboxPage: `/oauth2/${lang}/sandbox/signin.html`,
  sandboxDecision: `/oauth2/${lang}/sandbox/consent`,
  bankPage: `/oauth2/${lang}/banque/oauth2_authorization.aspx`,
  bankSignIn: `/oauth2/${lang}/banque/signin`,
  bankOtp: `/oauth2/${lang}/banque/otp`,
  bankConsent: `/oauth2/${lang}/banque/consent`,
  stylesheet: `/oauth2/${lang}/static/authorize.css`,
  // The customer's consent page (issue 18), in both modes: see docs/operations-consents.md.
  consents: `/oauth2/${lang}/banque/autorisations`,
  consentsSignIn: `/oauth2/${lang}/banque/autorisations/connexion`,
  consentsOtp: `/oauth2/${lang}/banque/autorisations/code`,
  consentsSandbox: `/oauth2/${lang}/banque/autorisations/simulation`,
  consentsSignOut: `/oauth2/${lang}/banque/autorisations/deconnexion`,
  // The grant id travels in the query (the confirmation) or the form (the withdrawal), never in the
  // path: a path parameter the router cannot decode would be answered before the page's error handler.
  consentsWithdrawal: `/oauth2/${lang}/banque/autorisations/retrait`,
});

/** The bank page a session's stage belongs on: where a step reached out of order sends the PSU. */
export function pageOfStage(session: Session, lang: Lang): string {
  const p = paths(lang);
  if (session.stage === 'password_checked') return p.bankOtp;
  return session.stage === 'authenticated' ? p.bankConsent : p.bankPage;
}

/** Unix seconds by the pages' clock. */
export function nowSeconds(deps: PageDependencies): number {
  return Math.floor((deps.now ?? Date.now)() / 1000);
}

/** Each flow's pages exist only where the deployment serves them; elsewhere they are the 404 page. */
export function requireFlow(deps: PageDependencies, flow: SessionFlow): void {
  // The consent page serves both modes: each signs its customers in its own way.
  if (flow === 'consents') return;
  const enabled =
    flow === 'sandbox' ? deps.mode === 'sandbox' : deps.mode === 'bank' || deps.bankPageInSandbox;
  if (!enabled) throw new PageError('not_found', 404, `${flow} page disabled`);
}
