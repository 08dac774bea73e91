import type { Request, Response } from '@psd2/http';
import type { Lang } from '../html/messages.js';
import type { SessionOf } from '../session/session.js';
import { type PageDependencies, pageOfStage, requireFlow } from './dependencies.js';
import { sendFlowPage } from './page-view.js';
import { loadSession } from './session-access.js';

type BankSession = SessionOf<'bank'>;
type BankAt<S extends BankSession['stage']> = Extract<BankSession, { readonly stage: S }>;

function isAt<S extends BankSession['stage']>(session: BankSession, stage: S): session is BankAt<S> {
  return session.stage === stage;
}

/**
 * The GET of a bank step's page: shown for a session at `stage`; a session at another stage (the back
 * button, a bookmark) is sent to its own page.
 */
export async function sendStagePage<S extends BankSession['stage']>(
  deps: PageDependencies,
  req: Request,
  res: Response,
  at: { readonly lang: Lang; readonly stage: S },
  render: (session: BankAt<S>) => string,
): Promise<void> {
  requireFlow(deps, 'bank');
  const { session } = await loadSession(deps, req, 'bank');
  if (!isAt(session, at.stage)) {
    res.redirect(303, pageOfStage(session, at.lang));
    return;
  }
  sendFlowPage(res, 200, render(session), session);
}
