import type { PageResult } from '@psd2/http';
import { GRANT_LIFETIME_SECONDS } from '../authorize/issue-code.js';
import { type Lang, messagesFor } from '../html/messages.js';
import type { PageFrame } from '../html/pages.js';
import type { Session } from '../session/session.js';
import { formActionSource, htmlPage, pageCsp } from '../web/browser.js';
import type { PageDependencies } from './dependencies.js';

export function pageFrame(deps: PageDependencies, lang: Lang): PageFrame {
  return { lang, m: messagesFor(lang), sandbox: deps.mode === 'sandbox' };
}

/** The day the grant would end, for the consent's "180 days" line. */
export function expiresOn(lang: Lang, authTime: number): string {
  return messagesFor(lang).formatDate(new Date((authTime + GRANT_LIFETIME_SECONDS) * 1000));
}

/** The requested scopes, one a line on the pages. */
export function scopesOf(session: Session): string[] {
  return session.request.scope.split(' ');
}

/** A page of a flow: its forms may lead on to the client's redirect URI (the final 303). */
export function flowPage(
  status: number,
  html: string,
  session: Session,
  headers: Readonly<Record<string, string | readonly string[]>> = {},
): PageResult {
  return htmlPage(status, html, pageCsp([formActionSource(session.request.redirectUri)]), headers);
}
