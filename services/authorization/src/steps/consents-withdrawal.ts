import { defineEndpoint, type Endpoint, redirect } from '@psd2/http';
import { z } from 'zod';
import { PageError } from '../authorize/errors.js';
import { customerGrant } from '../consents/customer-grants.js';
import { type PageDependencies, paths } from '../flow/dependencies.js';
import { formStep } from '../flow/form-step.js';
import { pageFrame } from '../flow/page-view.js';
import { liveSession } from '../flow/session-access.js';
import { GRANT_FIELD, withdrawalConfirmPage } from '../html/consents-pages.js';
import type { Lang } from '../html/messages.js';
import { withNotice } from '../session/consents-transitions.js';
import { consentsPage } from './consents-view.js';

/*
 * Withdrawing one consent: a confirmation page (GET, the grant id in the query), then the withdrawal
 * (POST with the grant id and the session's CSRF token). Only a grant of the signed-in customer: an
 * unknown id and another customer's grant get the same not-found page, and nothing changes. Revoking
 * the grant makes every token of it inactive at once (revocation by lineage, see @psd2/token-store).
 */

/** The same refusal whatever the id: unknown, malformed, ended, or someone else's. */
const notFound = () => new PageError('grant_not_found', 404, 'no such active grant of this customer');

/** A query value as the page reads it: one string, or nothing (absent, repeated, nested). */
const grantQuery = z.object({
  [GRANT_FIELD]: z
    .unknown()
    .transform((value) => (typeof value === 'string' ? value : ''))
    .optional(),
});

export function withdrawalEndpoints(lang: Lang, deps: PageDependencies): Endpoint[] {
  const p = paths(lang);
  return [
    defineEndpoint({
      method: 'GET',
      path: p.consentsWithdrawal,
      response: 'page',
      input: { query: grantQuery },
      handle: async (ctx) => {
        const live = await liveSession(deps, ctx, 'consents');
        if (live?.session.stage !== 'authenticated') return redirect(303, p.consents);
        const grantId = ctx.query[GRANT_FIELD] ?? '';
        const grant = await customerGrant(deps, live.session.psu.psuId, grantId, lang);
        if (grant === undefined) throw notFound();
        const body = withdrawalConfirmPage(pageFrame(deps, lang), {
          grant,
          action: p.consentsWithdrawal,
          csrf: live.session.csrf,
          listPath: p.consents,
        });
        return consentsPage(200, body);
      },
    }),
    formStep(deps, {
      path: p.consentsWithdrawal,
      flow: 'consents',
      fields: [GRANT_FIELD],
      handle: async (request, form, { id, session }) => {
        if (session.stage !== 'authenticated') return redirect(303, p.consents);
        const grant = await customerGrant(deps, session.psu.psuId, form[GRANT_FIELD] ?? '', lang);
        if (grant === undefined) throw notFound();
        await deps.tokenStore.revokeGrant(grant.grantId);
        request.fields.consents = 'withdrawn';
        request.fields.client_organization_id = grant.organizationId;
        await deps.sessions.save(id, withNotice(session, { withdrawn: grant.tppName }));
        // Post/redirect/get: reloading the list never posts the withdrawal again.
        return redirect(303, p.consents);
      },
    }),
  ];
}
