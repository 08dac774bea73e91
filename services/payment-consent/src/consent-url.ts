import type { DeploymentMode } from '@psd2/config';

export type PageLanguage = 'fr' | 'en';

/**
 * The consent-approval URL the payment API puts in STET `_links.consentApproval.href`: an
 * authorization request on this server's pages (the bank's sign-in page, or the simulated customer's
 * in sandbox mode) that carries the payment request. The TPP appends redirect_uri, state and PKCE
 * (code_challenge, code_challenge_method) as for any authorization request, so this URL names only
 * what the payment API decided: the client, the pisp scope and the payment request.
 */
export function consentApprovalUrl(fields: {
  readonly issuer: string;
  readonly mode: DeploymentMode;
  readonly language: PageLanguage;
  readonly clientId: string;
  readonly paymentRequestId: string;
}): string {
  const page =
    fields.mode === 'bank'
      ? `/oauth2/${fields.language}/banque/oauth2_authorization.aspx`
      : `/oauth2/${fields.language}/sandbox/signin.html`;
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: fields.clientId,
    scope: 'pisp',
    payment_request_id: fields.paymentRequestId,
  });
  return `${fields.issuer}${page}?${query.toString()}`;
}
