import { afterEach, describe, expect, it } from '@jest/globals';
import { capturingLogger } from '@psd2/testing';
import { DependencyHealth } from './health.js';
import { ECHO_SERVICE_NAME, eventually, serveOnLoopback } from './test-support.js';

/* The health loop, read through grpc.health.v1 as a load balancer reads it. */

/** A dependency the test switches on and off; it counts the probes and remembers their time limit. */
function dependency() {
  const state = { up: true, hang: false, probes: 0, timeouts: [] as number[] };
  const ping = (timeoutMs: number) => {
    state.probes += 1;
    state.timeouts.push(timeoutMs);
    if (state.hang) return new Promise<void>(() => undefined);
    return state.up ? Promise.resolve() : Promise.reject(new Error('connection refused'));
  };
  return { state, ping };
}

let health: DependencyHealth | undefined;
let close: (() => void) | undefined;

afterEach(() => {
  health?.stop();
  close?.();
});

async function serve(options: { ping: (timeoutMs: number) => Promise<void>; intervalMs?: number }) {
  const { logger, lines } = capturingLogger('grpc-server-health-test');
  const dependencyHealth = new DependencyHealth({
    serviceName: ECHO_SERVICE_NAME,
    dependency: 'test database',
    ping: options.ping,
    logger,
    intervalMs: options.intervalMs ?? 60_000,
    probeTimeoutMs: 200,
  });
  health = dependencyHealth;
  const served = await serveOnLoopback((server) => dependencyHealth.addToServer(server));
  close = served.close;
  const statuses = async () => [
    await served.client.health(''),
    await served.client.health(ECHO_SERVICE_NAME),
  ];
  return { health: dependencyHealth, lines, statuses };
}

describe('DependencyHealth', () => {
  it('is NOT_SERVING until the first probe, then SERVING for the server and the service', async () => {
    const { state, ping } = dependency();
    const { health, statuses, lines } = await serve({ ping });
    expect(await statuses()).toEqual(['NOT_SERVING', 'NOT_SERVING']);
    await health.start();
    expect(health.serving).toBe(true);
    expect(await statuses()).toEqual(['SERVING', 'SERVING']);
    // The probe is told its time limit, so it can bound its own work.
    expect(state.timeouts).toEqual([200]);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'health changed', status: 'SERVING', grpcService: ECHO_SERVICE_NAME }),
    );
  });

  it('follows the dependency down and back up, logging one warning per outage', async () => {
    const { state, ping } = dependency();
    const { health, statuses, lines } = await serve({ ping, intervalMs: 30 });
    await health.start();
    state.up = false;
    await eventually(() => !health.serving);
    expect(await statuses()).toEqual(['NOT_SERVING', 'NOT_SERVING']);
    const probesDown = state.probes;
    await eventually(() => state.probes >= probesDown + 3);
    const warnings = lines.filter((line) => line.msg === 'test database probe failed');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      dependency: 'test database',
      err: { message: 'connection refused' },
    });
    state.up = true;
    await eventually(() => health.serving);
    expect(await statuses()).toEqual(['SERVING', 'SERVING']);
  });

  it('counts a probe that does not answer in time as failed', async () => {
    const { state, ping } = dependency();
    state.hang = true;
    const { health, statuses, lines } = await serve({ ping });
    const started = Date.now();
    await health.start();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(health.serving).toBe(false);
    expect(await statuses()).toEqual(['NOT_SERVING', 'NOT_SERVING']);
    expect(lines).toContainEqual(
      expect.objectContaining({
        err: expect.objectContaining({ message: 'test database did not answer within 200 ms' }),
      }),
    );
  });

  it('flips at once when a call reports the dependency unavailable, and probes early to recover', async () => {
    const { state, ping } = dependency();
    // Probes every minute: only reportUnavailable's early probe can bring it back within the test.
    const { health, statuses } = await serve({ ping });
    await health.start();
    health.reportUnavailable();
    expect(health.serving).toBe(false);
    expect(await statuses()).toEqual(['NOT_SERVING', 'NOT_SERVING']);
    await eventually(() => health.serving, 2000);
    expect(state.probes).toBe(2);
  });

  it('stays NOT_SERVING for good once stopped: no more probes, reports ignored', async () => {
    const { state, ping } = dependency();
    const { health, statuses } = await serve({ ping, intervalMs: 20 });
    await health.start();
    health.stop();
    const probes = state.probes;
    health.reportUnavailable();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(state.probes).toBe(probes);
    expect(health.serving).toBe(false);
    expect(await statuses()).toEqual(['NOT_SERVING', 'NOT_SERVING']);
  });
});
