import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RunningSystem, startSystem } from '@psd2/testing';

/** The whole system as processes behind the local edge: the harness every cross-service test uses. */
describe('the system behind the edge', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem({ label: 'system-smoke' });
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
  });

  it('routes a TPP request over mTLS to the service that owns the path', async () => {
    const response = await system.client('tpp-a')('/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    // The token service's own answer (RFC 6749 §5.2: no client_id, so no client authentication), not an
    // edge or server failure.
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.json()).toMatchObject({ error: 'invalid_client' });
    expect(response.headers.get('x-request-id')).toBeTruthy();
    // The access-log line is written asynchronously once the response has finished.
    const deadline = Date.now() + 5000;
    while (!system.output('token').includes('"path":"/oauth2/token"') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(system.output('token')).toContain('"path":"/oauth2/token"');
  });

  it('answers a path no service owns at the edge, as JSON', async () => {
    const response = await system.client(undefined)('/nowhere');
    expect(response.status).toBe(404);
    expect(response.json()).toMatchObject({ error: 'invalid_request' });
  });
});
