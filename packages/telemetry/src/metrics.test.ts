import { afterAll, describe, expect, it } from '@jest/globals';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { instruments, observeGauge, timeClientRegistryCalls, timeTokenStoreOperations } from './metrics.js';
import { recordPsuSignIn } from './sign-in-metrics.js';

/** A reader the test collects from on demand. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const reader = new TestReader();
const provider = new MeterProvider({ readers: [reader] });
metrics.setGlobalMeterProvider(provider);

afterAll(async () => {
  await provider.shutdown();
  metrics.disable();
});

async function collected() {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
}

describe('instruments', () => {
  it('are created on the registered provider, in seconds, once per provider', async () => {
    const first = instruments();
    expect(instruments()).toBe(first);
    first.tokensIssued.add(1, { 'oauth.grant_type': 'client_credentials', 'oauth.scope': 'pisp' });
    const issued = (await collected()).find(
      (metric) => metric.descriptor.name === 'psd2.oauth.tokens.issued',
    );
    expect(issued?.dataPoints[0]?.attributes).toEqual({
      'oauth.grant_type': 'client_credentials',
      'oauth.scope': 'pisp',
    });
    expect(issued?.dataPoints[0]?.value).toBe(1);
  });
});

describe('timeAsyncMethods (timeTokenStoreOperations, timeClientRegistryCalls)', () => {
  it('records each call by method and outcome, never by argument, and passes results and errors through', async () => {
    const seen: unknown[] = [];
    const target = {
      prefix: 'p:',
      async find(token: string) {
        seen.push(token);
        return `${this.prefix}${token.length}`;
      },
      async fail(_token: string): Promise<never> {
        throw new Error('down');
      },
      async close() {},
    };
    const timed = timeTokenStoreOperations(target);
    await expect(timed.find('secret-token-value')).resolves.toBe('p:18');
    await expect(timed.fail('another-secret')).rejects.toThrow('down');
    await timed.close();
    expect(seen).toEqual(['secret-token-value']);

    const histogram = (await collected()).find(
      (metric) => metric.descriptor.name === 'psd2.token_store.operation.duration',
    );
    expect(histogram?.descriptor.unit).toBe('s');
    expect(histogram?.dataPoints.map((point) => point.attributes)).toEqual([
      { 'psd2.token_store.operation': 'find', 'psd2.outcome': 'ok' },
      { 'psd2.token_store.operation': 'fail', 'psd2.outcome': 'error' },
    ]);
    expect(JSON.stringify(histogram)).not.toContain('secret');
  });
});

describe('observeGauge', () => {
  it('reports the value read at collection time', async () => {
    let value: number | undefined = 7;
    const stop = observeGauge('test.gauge', { description: 'test', unit: '{thing}' }, () => value);
    const gauge = async () =>
      (await collected()).find((metric) => metric.descriptor.name === 'test.gauge')?.dataPoints[0]?.value;
    expect(await gauge()).toBe(7);
    value = 3;
    expect(await gauge()).toBe(3);
    stop();
  });

  it('times registry calls under their own name, leaving readiness waits out', async () => {
    const registry = timeClientRegistryCalls({
      async getClient(id: string) {
        return { id };
      },
      async waitForReady() {},
    });
    await registry.getClient('client-1');
    await registry.waitForReady();
    const histogram = (await collected()).find(
      (metric) => metric.descriptor.name === 'psd2.client_registry.call.duration',
    );
    expect(histogram?.dataPoints.map((point) => point.attributes)).toEqual([
      { 'psd2.client_registry.operation': 'getClient', 'psd2.outcome': 'ok' },
    ]);
  });
});

describe('recordPsuSignIn', () => {
  it('counts sign-ins by outcome and refusal reason, and lockouts, with no other label', async () => {
    const points = async (name: string) =>
      (await collected()).find((metric) => metric.descriptor.name === name)?.dataPoints ?? [];
    recordPsuSignIn({ status: 'ok' });
    recordPsuSignIn({ status: 'refused', reason: 'wrong_code' });
    recordPsuSignIn({ status: 'refused', reason: 'wrong_password', lockedOut: true });
    recordPsuSignIn({ status: 'refused', reason: 'wrong_password', lockedOut: false });
    const signIns = (await points('psd2.psu.sign_ins')).map((point) => [point.attributes, point.value]);
    expect(signIns).toEqual([
      [{ 'psd2.outcome': 'ok' }, 1],
      [{ 'psd2.outcome': 'refused', 'psd2.sign_in.refusal': 'wrong_code' }, 1],
      [{ 'psd2.outcome': 'refused', 'psd2.sign_in.refusal': 'wrong_password' }, 2],
    ]);
    expect((await points('psd2.psu.lockouts')).map((point) => [point.attributes, point.value])).toEqual([
      [{}, 1],
    ]);
  });
});
