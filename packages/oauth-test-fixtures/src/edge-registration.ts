import { TEST_REDIRECT_URI } from './fixtures.js';

/*
 * A client registered and deleted the way a TPP does it: RFC 7591 and RFC 7592 through the edge,
 * for tests that watch what deleting a client does to its tokens. Typed by shape so that this
 * package need not depend on @psd2/testing, whose `system.client(qwac)` is what is passed in.
 */

type EdgeFetch = (
  path: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ readonly status: number; json<T>(): T }>;

export interface EdgeRegistration {
  readonly clientId: string;
  readonly registrationAccessToken: string;
}

/** POST /oauth2/register for an AISP client with authorization_code and refresh_token; throws unless 201. */
export async function registerThroughEdge(tpp: EdgeFetch): Promise<EdgeRegistration> {
  const registered = await tpp('/oauth2/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      redirect_uris: [TEST_REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'aisp',
    }),
  });
  if (registered.status !== 201) throw new Error(`registration answered ${registered.status}, not 201`);
  const body = registered.json<{ client_id: string; registration_access_token: string }>();
  return { clientId: body.client_id, registrationAccessToken: body.registration_access_token };
}

/** DELETE /oauth2/register/{client_id} with the registration access token; the response's status. */
export async function deleteThroughEdge(tpp: EdgeFetch, registration: EdgeRegistration): Promise<number> {
  const deleted = await tpp(`/oauth2/register/${registration.clientId}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${registration.registrationAccessToken}` },
  });
  return deleted.status;
}
