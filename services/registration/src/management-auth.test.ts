import { describe, expect, it } from '@jest/globals';
import type { QwacIdentity } from '@psd2/certificates';
import { type RegisteredClient, RegistryUnavailableError } from '@psd2/client-registry-client';
import {
  AccessDeniedError,
  InvalidTokenError,
  serializeOAuthError,
  TemporarilyUnavailableError,
} from '@psd2/oauth-errors';
import { authorizeManagement, bearerToken } from './management-auth.js';

/* The RFC 7592 §2 access matrix, against a registry that knows one client and one token. */

const CLIENT_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const TOKEN = 'T'.repeat(43);

const client = {
  clientId: CLIENT_ID,
  organizationId: 'PSDFR-ACPR-12345',
} as RegisteredClient;

const registry = {
  checkRegistrationAccessToken: async (clientId: string, token: string) =>
    clientId === CLIENT_ID && token === TOKEN ? client : undefined,
};

const certificateOf = (organizationIdentifier: string) => ({ organizationIdentifier }) as QwacIdentity;
const own = certificateOf('PSDFR-ACPR-12345');
const other = certificateOf('PSDBE-NBB-0123456789');

async function outcome(input: { clientId?: string; authorization?: string; certificate?: QwacIdentity }) {
  try {
    return await authorizeManagement({
      clientId: input.clientId ?? CLIENT_ID,
      authorization: input.authorization,
      certificate: input.certificate ?? own,
      registry,
    });
  } catch (error) {
    return error;
  }
}

describe('bearerToken (RFC 6750 §2.1)', () => {
  it('reads the token from the header', () => {
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`bearer ${TOKEN}`)).toBe(TOKEN);
  });
  it.each([[undefined], [''], ['Basic abc'], ['Bearer'], ['Bearer a b'], [`Bearer ${'x'.repeat(600)}`]])(
    'finds none in %p',
    (header) => {
      expect(bearerToken(header)).toBeUndefined();
    },
  );
});

describe('authorizeManagement', () => {
  it('lets the right token with a certificate of the same organisation through', async () => {
    expect(await outcome({ authorization: `Bearer ${TOKEN}` })).toBe(client);
  });

  it('answers 401 invalid_token with a challenge when the token is missing', async () => {
    const error = await outcome({});
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(serializeOAuthError(error).headers['WWW-Authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });

  it('answers the same 401 for a wrong token, an unknown client and a malformed client id', async () => {
    const answers = await Promise.all([
      outcome({ authorization: `Bearer ${'W'.repeat(43)}` }),
      outcome({ clientId: 'BBBBBBBBBBBBBBBBBBBBBB', authorization: `Bearer ${TOKEN}` }),
      outcome({ clientId: '../etc/passwd', authorization: `Bearer ${TOKEN}` }),
    ]);
    const bodies = answers.map((error) => {
      expect(error).toBeInstanceOf(InvalidTokenError);
      const { status, body, headers } = serializeOAuthError(error);
      return { status, body, headers };
    });
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });

  it('answers an unknown client the same whatever the certificate organisation', async () => {
    const mine = await outcome({ clientId: 'BBBBBBBBBBBBBBBBBBBBBB', authorization: `Bearer ${TOKEN}` });
    const theirs = await outcome({
      clientId: 'BBBBBBBBBBBBBBBBBBBBBB',
      authorization: `Bearer ${TOKEN}`,
      certificate: other,
    });
    expect(serializeOAuthError(theirs).body).toEqual(serializeOAuthError(mine).body);
  });

  it('answers 403 when the token is valid but the certificate is of another organisation', async () => {
    const error = await outcome({ authorization: `Bearer ${TOKEN}`, certificate: other });
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect(serializeOAuthError(error).status).toBe(403);
  });

  it('answers 503 when the registry cannot be reached', async () => {
    const error = await authorizeManagement({
      clientId: CLIENT_ID,
      authorization: `Bearer ${TOKEN}`,
      certificate: own,
      registry: {
        checkRegistrationAccessToken: async () => {
          throw new RegistryUnavailableError('unavailable', 14, 'down');
        },
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporarilyUnavailableError);
  });
});
