import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoQwacName } from '@psd2/test-pki';
import { type HttpResult, type RunningSystem, startSystem } from '@psd2/testing';
import pg from 'pg';
import { manage, registerAccepted } from './test-support.js';

/*
 * RFC 7592 DELETE when the registry step fails, through the edge against the running system. The
 * failure is a real one: a transaction of this test holds the client's row lock, so the registry's
 * delete waits past its deadline while its reads still answer.
 */

let system: RunningSystem;
let database: pg.Pool;

beforeAll(async () => {
  system = await startSystem({ label: 'registration-deletion' });
  database = new pg.Pool({ connectionString: system.database.url, max: 2 });
}, 60_000);

afterAll(async () => {
  await database?.end();
  await system?.stop();
});

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const issueToken = (clientId: string) =>
  system.client('psp-pi')(
    '/oauth2/token',
    form({ grant_type: 'client_credentials', client_id: clientId, scope: 'pisp' }),
  );
const introspect = (qwac: DemoQwacName, token: string) =>
  system.internalClient(qwac)('/oauth2/introspect', form({ token }));
const oauthError = (result: HttpResult) => ({ status: result.status, error: result.json().error });

/** Runs `work` while another transaction holds the client's row lock, then lets go. */
async function withClientRowLocked<T>(clientId: string, work: () => Promise<T>): Promise<T> {
  const connection = await database.connect();
  try {
    await connection.query('begin');
    await connection.query('select 1 from clients where client_id = $1 for update', [clientId]);
    return await work();
  } finally {
    await connection.query('rollback');
    connection.release();
  }
}

describe('an RFC 7592 DELETE whose registry step fails', () => {
  it('answers 503, leaves the client working, and succeeds when retried', async () => {
    const { clientId, registrationAccessToken: managementToken } = await registerAccepted(system, 'psp-pi', {
      scope: 'pisp',
      grant_types: ['client_credentials'],
      response_types: [],
    });
    const before = await issueToken(clientId);
    expect(before.status).toBe(200);
    const earlierToken = before.json<{ access_token: string }>().access_token;

    const failed = await withClientRowLocked(clientId, () =>
      manage(system, 'psp-pi', 'DELETE', clientId, managementToken),
    );
    expect(oauthError(failed)).toEqual({ status: 503, error: 'temporarily_unavailable' });

    // Not deleted, so not revoked: the earlier token is active and a new one is issued.
    expect((await introspect('psp-as', earlierToken)).json()).toMatchObject({ active: true });
    expect((await issueToken(clientId)).status).toBe(200);

    const retried = await manage(system, 'psp-pi', 'DELETE', clientId, managementToken);
    expect(retried.status).toBe(204);
    expect((await introspect('psp-as', earlierToken)).json()).toEqual({ active: false });
    // The token service may still hold the client in its cache (CLIENT_REGISTRY_CACHE_MS): whatever it
    // issues then is inactive at once, and after the cache lifetime the client is unknown.
    const after = await issueToken(clientId);
    if (after.status === 200) {
      const issued = after.json<{ access_token: string }>().access_token;
      expect((await introspect('psp-as', issued)).json()).toEqual({ active: false });
    } else {
      expect(oauthError(after)).toEqual({ status: 401, error: 'invalid_client' });
    }
  }, 30_000);
});
