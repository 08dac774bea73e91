import { defineEndpoint, type Endpoint, type EndpointResult, type RequestBasics, redirect } from '@psd2/http';
import type { Lang } from '../html/messages.js';
import type { SessionOf } from '../session/session.js';
import { type PageDependencies, pageOfStage, requireFlow } from './dependencies.js';
import { flowPage } from './page-view.js';
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
async function stagePage<S extends BankSession['stage']>(
  deps: PageDependencies,
  request: RequestBasics,
  at: { readonly lang: Lang; readonly stage: S },
  render: (session: BankAt<S>) => string,
): Promise<EndpointResult> {
  requireFlow(deps, 'bank');
  const { session } = await loadSession(deps, request, 'bank');
  if (!isAt(session, at.stage)) return redirect(303, pageOfStage(session, at.lang));
  return flowPage(200, render(session), session);
}

/** The GET endpoint of a bank step's page at `path`. */
export function stagePageEndpoint<S extends BankSession['stage']>(
  deps: PageDependencies,
  at: { readonly path: string; readonly lang: Lang; readonly stage: S },
  render: (session: BankAt<S>) => string,
): Endpoint {
  return defineEndpoint({
    method: 'GET',
    path: at.path,
    response: 'page',
    handle: (ctx) => stagePage(deps, ctx, at, render),
  });
}
