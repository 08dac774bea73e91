import { afterEach, describe, expect, it } from '@jest/globals';
import { capturingLogger } from '@psd2/testing';
import { type OwnStateCheck, ServerHealth } from './health.js';
import { ECHO_SERVICE_NAME, eventually, serveOnLoopback } from './test-support.js';

/* grpc.health.v1 from the replica's own state, read as a load balancer reads it. */

/** An own-state check the test steers: a reason, fine, or "cannot tell" (the database is down). */
function steeredCheck(intervalMs = 30) {
  const state: { reason: string | undefined; cannotTell: boolean; hang: boolean; runs: number } = {
    reason: undefined,
    cannotTell: false,
    hang: false,
    runs: 0,
  };
  const check: OwnStateCheck = {
    what: 'test schema',
    intervalMs,
    run: () => {
      state.runs += 1;
      if (state.hang) return new Promise<undefined>(() => undefined);
      if (state.cannotTell) return Promise.reject(new Error('connection refused'));
      return Promise.resolve(state.reason);
    },
  };
  return { state, check };
}

let health: ServerHealth | undefined;
let close: (() => void) | undefined;

afterEach(() => {
  health?.stop();
  close?.();
});

async function serve(check?: OwnStateCheck) {
  const { logger, lines } = capturingLogger('grpc-server-health-test');
  const serverHealth = new ServerHealth({
    serviceName: ECHO_SERVICE_NAME,
    logger,
    ...(check === undefined ? {} : { check }),
    checkTimeoutMs: 200,
  });
  health = serverHealth;
  const served = await serveOnLoopback((server) => serverHealth.addToServer(server));
  close = served.close;
  const statuses = async () => [
    await served.client.health(''),
    await served.client.health(ECHO_SERVICE_NAME),
  ];
  return { health: serverHealth, lines, statuses };
}

describe('ServerHealth', () => {
  it('is NOT_SERVING until started, SERVING from start, NOT_SERVING for good once stopped', async () => {
    const { health, statuses, lines } = await serve();
    expect(await statuses()).toEqual(['NOT_SERVING', 'NOT_SERVING']);
    await health.start();
    expect(await statuses()).toEqual(['SERVING', 'SERVING']);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'health changed', status: 'SERVING', grpcService: ECHO_SERVICE_NAME }),
    );
    health.stop();
    expect(await statuses()).toEqual(['NOT_SERVING', 'NOT_SERVING']);
  });

  it('is NOT_SERVING while its own state gives a reason, logged once, and SERVING once fixed', async () => {
    const { state, check } = steeredCheck();
    state.reason = 'database schema is behind this build: applied 0001, needs 0002';
    const { health, statuses, lines } = await serve(check);
    await health.start();
    expect(await statuses()).toEqual(['NOT_SERVING', 'NOT_SERVING']);
    const runs = state.runs;
    await eventually(() => state.runs >= runs + 3);
    expect(lines.filter((line) => line.msg === state.reason)).toHaveLength(1);
    expect(lines.find((line) => line.msg === state.reason)).toMatchObject({ level: 'error' });
    state.reason = undefined;
    await eventually(() => health.serving);
    expect(await statuses()).toEqual(['SERVING', 'SERVING']);
  });

  it('keeps its status when the check cannot tell (a shared dependency down), SERVING at start', async () => {
    const { state, check } = steeredCheck();
    state.cannotTell = true;
    const { health, statuses } = await serve(check);
    await health.start();
    expect(await statuses()).toEqual(['SERVING', 'SERVING']);
    const runs = state.runs;
    await eventually(() => state.runs >= runs + 3);
    expect(health.serving).toBe(true);
  });

  it('counts a check that does not answer in time as "cannot tell"', async () => {
    const { state, check } = steeredCheck(60_000);
    state.hang = true;
    const { health, statuses } = await serve(check);
    const started = Date.now();
    await health.start();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(await statuses()).toEqual(['SERVING', 'SERVING']);
  });

  it('checks no more once stopped', async () => {
    const { state, check } = steeredCheck(20);
    const { health, statuses } = await serve(check);
    await health.start();
    health.stop();
    const runs = state.runs;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(state.runs).toBe(runs);
    expect(await statuses()).toEqual(['NOT_SERVING', 'NOT_SERVING']);
  });
});
