import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClientRegistry } from '@psd2/client-registry-client';
import { registerTestClient, TEST_REDIRECT_URI } from '@psd2/oauth-test-fixtures';
import type { DemoQwacName } from '@psd2/test-pki';
import {
  type CodeFlowParties,
  documentationAddress,
  type RunningSystem,
  runCodeFlow,
  startSystem,
} from '@psd2/testing';
import { Agent } from 'undici';

/*
 * The browserless code flow the bench drives (packages/testing code-flow.ts): it completes against the
 * real system through the edge, and a refusal on the way is an error naming its step, never a flow.
 */

let system: RunningSystem;
let parties: CodeFlowParties;
let clientId: string;
const agents: Agent[] = [];

beforeAll(async () => {
  system = await startSystem({ label: 'code-flow-driver' });
  const registry = createClientRegistry({ address: system.registryAddress, transport: { plaintext: true } });
  clientId = (
    await registerTestClient(registry, system.pki, 'psp-ai', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    })
  ).clientId;
  registry.close();
  const ca = readFileSync(system.pki.ca.cert);
  const agentFor = (qwac: DemoQwacName | undefined) => {
    const files = qwac === undefined ? undefined : system.pki.qwacs[qwac];
    const agent = new Agent({
      connect: { ca, ...(files ? { cert: readFileSync(files.cert), key: readFileSync(files.key) } : {}) },
    });
    agents.push(agent);
    return agent;
  };
  parties = {
    origin: system.edgeUrl,
    introspectionOrigin: system.internalEdgeUrl,
    browser: agentFor(undefined),
    tpp: agentFor('psp-ai'),
    bank: agentFor('psp-as'),
  };
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  await system?.stop();
});

const request = (index: number) => ({
  clientId,
  redirectUri: TEST_REDIRECT_URI,
  scope: 'aisp',
  psuId: 'psu-bruno',
  browserAddress: documentationAddress(index),
});

describe('the code flow driver', () => {
  it('runs page, consent, exchange and introspection through the edge, timing each step', async () => {
    const result = await runCodeFlow(parties, request(1));
    for (const step of ['page', 'consent', 'token', 'introspection'] as const)
      expect(result.timings[step]).toBeGreaterThan(0);
    expect(result.accessToken).toMatch(/^[\w-]{43}$/);
    expect(result.refreshToken).toMatch(/^[\w-]{43}$/);
  });

  it('throws, naming the step, when the page refuses the request', async () => {
    await expect(runCodeFlow(parties, { ...request(2), clientId: 'no-such-client' })).rejects.toMatchObject({
      name: 'CodeFlowError',
      step: 'page',
    });
  });

  it('throws at the exchange when the TPP presents another certificate than its client’s', async () => {
    await expect(runCodeFlow({ ...parties, tpp: parties.bank }, request(3))).rejects.toMatchObject({
      step: 'token',
      status: 401,
    });
  });

  it('gives each flow a documentation address of its own /64', () => {
    expect(documentationAddress(0)).toBe('2001:db8:0:0::1');
    expect(documentationAddress(0x10001)).toBe('2001:db8:1:1::1');
  });
});
