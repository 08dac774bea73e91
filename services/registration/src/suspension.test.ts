import { afterEach, describe, expect, it } from '@jest/globals';
import { OrganisationSuspendedError, type RegisteredClient } from '@psd2/client-registry-client';
import {
  bearer,
  CLIENT_ID,
  client,
  closeApps,
  jsonHeaders,
  pispBody,
  start,
  TOKEN,
} from './app.test-support.js';

/*
 * Issue 18 at the registration API: a suspended organisation may neither register (the registry
 * refuses, this service answers 401 invalid_client) nor manage its clients (401 invalid_client); a
 * suspended role's scopes are refused with 403 access_denied.
 */

afterEach(closeApps);

/** gRPC status 7, as the registry answers a suspended organisation. */
const GRPC_PERMISSION_DENIED = 7;

const suspendedClient = (suspension: NonNullable<RegisteredClient['suspension']>): RegisteredClient => ({
  ...client,
  suspension,
});

describe('registration and a suspended TPP', () => {
  it.each([
    ['organisation_suspended', 401, 'invalid_client'],
    ['role_suspended', 403, 'access_denied'],
  ] as const)('answers the registry refusing a registration (%s) with %i %s', async (kind, code, error) => {
    const call = await start({
      registry: {
        createClient: async () => {
          throw new OrganisationSuspendedError(kind, GRPC_PERMISSION_DENIED, 'suspended by the bank');
        },
      },
    });
    const response = await call('/oauth2/register', { method: 'POST', headers: jsonHeaders, body: pispBody });
    expect(response.status).toBe(code);
    expect(await response.json()).toMatchObject({ error });
  });

  it.each(['GET', 'PUT', 'DELETE'])(
    'refuses %s of a suspended organisation’s client with 401 invalid_client',
    async (method) => {
      let changed = false;
      const refuse = async () => {
        changed = true;
        throw new Error('must not be reached');
      };
      const call = await start({
        registry: {
          checkRegistrationAccessToken: async (id, token) =>
            id === CLIENT_ID && token === TOKEN
              ? suspendedClient({ organisationSuspended: true, suspendedRoles: [] })
              : undefined,
          replaceClient: refuse,
          deleteClient: refuse,
          getClient: refuse,
        },
      });
      const response = await call(`/oauth2/register/${CLIENT_ID}`, {
        method,
        headers: { ...bearer, ...jsonHeaders },
        ...(method === 'PUT' ? { body: pispBody } : {}),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
      expect(changed).toBe(false);
    },
  );

  it('lets a client with only a role suspended read its registration', async () => {
    const call = await start({
      registry: {
        checkRegistrationAccessToken: async () =>
          suspendedClient({ organisationSuspended: false, suspendedRoles: ['PSP_AI'] }),
      },
    });
    const response = await call(`/oauth2/register/${CLIENT_ID}`, { headers: bearer });
    expect(response.status).toBe(200);
  });
});
