import { beforeAll, describe, expect, it } from '@jest/globals';
import { type Registered, registrationSystem } from './registration.test-support.js';
import { aispMetadata, manage, qwacFacts } from './test-support.js';

/* RFC 7592 §2.1 end to end: which credentials open a client's configuration endpoint. */

const sut = registrationSystem();

describe('RFC 7592 management', () => {
  describe('the 401 / 403 matrix (RFC 7592 §2.1)', () => {
    let client: Registered;
    beforeAll(async () => {
      client = await sut.registered('tpp-a', aispMetadata());
    });

    const answer = async (response: Promise<{ status: number; json: <T>() => T; headers: Headers }>) => {
      const result = await response;
      return {
        status: result.status,
        body: result.json(),
        challenge: result.headers.get('www-authenticate'),
      };
    };

    it('answers 403 to another organisation holding the right token, and changes nothing', async () => {
      for (const method of ['GET', 'PUT', 'DELETE'] as const) {
        const body = method === 'PUT' ? { ...aispMetadata(), client_id: client.client_id } : undefined;
        const response = await manage(
          sut.system,
          'tpp-b',
          method,
          client.client_id,
          client.registration_access_token,
          body,
        );
        expect(response.status).toBe(403);
        expect(response.json()).toMatchObject({ error: 'access_denied' });
      }
      const stored = await sut.registry.getClient(client.client_id);
      expect(stored.version).toBe(1);
      expect((await sut.database.audit(client.client_id)).map((entry) => entry.action)).toEqual(['create']);
    });

    it('answers someone else client with a wrong token exactly like a client that does not exist', async () => {
      const wrongToken = 'W'.repeat(43);
      const theirs = await answer(manage(sut.system, 'tpp-b', 'GET', client.client_id, wrongToken));
      const nobody = await answer(manage(sut.system, 'tpp-b', 'GET', 'ZZZZZZZZZZZZZZZZZZZZZZ', wrongToken));
      const ownWrong = await answer(manage(sut.system, 'tpp-a', 'GET', client.client_id, wrongToken));
      expect(theirs.status).toBe(401);
      expect(theirs.body).toMatchObject({ error: 'invalid_token' });
      expect(theirs.challenge).toMatch(/^Bearer error="invalid_token"/);
      expect(nobody).toEqual(theirs);
      expect(ownWrong).toEqual(theirs);
    });

    it('answers 401 invalid_token without a bearer token', async () => {
      const response = await manage(sut.system, 'tpp-a', 'GET', client.client_id, undefined);
      expect(response.status).toBe(401);
      expect(response.json()).toMatchObject({ error: 'invalid_token' });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    });

    it('answers 401 invalid_client without a certificate, even with the right token', async () => {
      const response = await manage(
        sut.system,
        undefined,
        'GET',
        client.client_id,
        client.registration_access_token,
      );
      expect(response.status).toBe(401);
      expect(response.json()).toMatchObject({ error: 'invalid_client' });
    });

    it('ignores a forged XFCC of the owner sent with another organisation certificate', async () => {
      const response = await sut.system.client('tpp-b')(`/oauth2/register/${client.client_id}`, {
        headers: {
          authorization: `Bearer ${client.registration_access_token}`,
          'x-forwarded-client-cert': qwacFacts(sut.system, 'tpp-a').xfcc,
        },
      });
      expect(response.status).toBe(403);
    });

    it('never answers 404 for a client id', async () => {
      for (const id of ['ZZZZZZZZZZZZZZZZZZZZZZ', 'not-an-id%20at-all', 'x'.repeat(100)]) {
        const response = await manage(sut.system, 'tpp-a', 'GET', id, client.registration_access_token);
        expect(response.status).toBe(401);
      }
    });
  });
});
