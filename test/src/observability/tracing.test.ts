import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { identityOf } from '@psd2/oauth-test-fixtures';
import { observeSystem } from './observed-system.js';
import { eventually, KIND, type Span } from './otlp-receiver.js';

/*
 * One TPP request must be one trace across the edge, the token service, the registry (gRPC client and
 * server) and Redis, with correct parent links, and one access line that names it.
 */

const observed = observeSystem('observability-tracing');
const { receiver, secrets } = observed;

describe('one TPP request, one trace', () => {
  const traceId = randomBytes(16).toString('hex');
  const callerSpanId = randomBytes(8).toString('hex');
  let clientId: string;

  it('exchanges an authorization code through the edge, continuing the TPP trace', async () => {
    const client = await observed.registerAispClient();
    clientId = client.clientId;
    const response = await observed.system.client('psp-ai')('/oauth2/token', {
      ...(await observed.plantCode(client, 'traced')),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        traceparent: `00-${traceId}-${callerSpanId}-01`,
      },
    });
    expect(response.status).toBe(200);
    const tokens = response.json<{ access_token: string; refresh_token: string }>();
    secrets.set('access token', tokens.access_token);
    secrets.set('refresh token', tokens.refresh_token);
  });

  it('covers the edge, the token service, the registry over gRPC and Redis, parent to child', async () => {
    const inTrace = () => receiver.spans().filter((span) => span.traceId === traceId);
    // The registry's database span is the last to end in the tree; wait for the whole tree.
    await eventually(
      () =>
        inTrace().some((span) => span.service === 'client-registry' && span.kind === KIND.SERVER) &&
        inTrace().some((span) => span.service === 'local-edge' && span.kind === KIND.SERVER) &&
        inTrace().some((span) => span.service === 'token' && span.kind === KIND.SERVER)
          ? true
          : undefined,
      'the spans of the token request',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const spans = inTrace();
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const parentOf = (span: Span) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);
    const describeTree = () =>
      spans.map((s) => `${s.service} ${s.kind} ${s.name} ${s.spanId}<-${s.parentSpanId ?? ''}`).join('\n');

    // The edge continues the TPP's trace: its server span is the child of the caller's span.
    const edgeServer = spans.find((span) => span.service === 'local-edge' && span.kind === KIND.SERVER);
    expect(edgeServer?.parentSpanId).toBe(callerSpanId);
    // ... and calls the token service from a client span of its own, whose context it propagates.
    const edgeClient = spans.find((span) => span.service === 'local-edge' && span.kind === KIND.CLIENT);
    expect(edgeClient && parentOf(edgeClient)).toBe(edgeServer);
    const tokenServer = spans.find((span) => span.service === 'token' && span.kind === KIND.SERVER);
    expect(tokenServer && parentOf(tokenServer)).toBe(edgeClient);
    expect(tokenServer?.name).toBe('POST /oauth2/token');
    expect(tokenServer?.attribute('http.route')).toBe('/oauth2/token');
    expect(tokenServer?.attribute('http.response.status_code')).toBe(200);
    // Domain attributes, from the handler's log fields.
    expect(tokenServer?.attribute('oauth.grant_type')).toBe('authorization_code');
    expect(tokenServer?.attribute('oauth.client_id')).toBe(clientId);
    expect(tokenServer?.attribute('psd2.organization_id')).toBe(
      identityOf(observed.system.pki, 'psp-ai').organizationIdentifier,
    );

    // Every span below the edge descends from the token service's server span.
    const descendsFrom = (span: Span, ancestor: Span): boolean => {
      for (let at = parentOf(span); at !== undefined; at = parentOf(at)) if (at === ancestor) return true;
      return false;
    };
    const grpcClient = spans.find(
      (span) =>
        span.service === 'token' && span.kind === KIND.CLIENT && span.attribute('rpc.system') === 'grpc',
    );
    expect(grpcClient).toBeDefined();
    expect(grpcClient?.name).toMatch(/ClientRegistryService\/GetClient$/);
    expect(grpcClient && tokenServer && descendsFrom(grpcClient, tokenServer)).toBe(true);
    const registryServer = spans.find(
      (span) => span.service === 'client-registry' && span.kind === KIND.SERVER,
    );
    expect(registryServer && parentOf(registryServer)).toBe(grpcClient);
    const database = spans.filter(
      (span) => span.service === 'client-registry' && span.scope.includes('instrumentation-pg'),
    );
    expect(database.length).toBeGreaterThan(0);
    for (const span of database) expect(registryServer && descendsFrom(span, registryServer)).toBe(true);
    const redis = spans.filter((span) => span.service === 'token' && span.scope.includes('ioredis'));
    expect(redis.length).toBeGreaterThan(0);
    for (const span of redis) {
      expect(tokenServer && descendsFrom(span, tokenServer)).toBe(true);
      expect(span.kind).toBe(KIND.CLIENT);
    }

    // One tree: every span but the edge's server span has its parent in the trace.
    for (const span of spans) {
      if (span === edgeServer) continue;
      expect({
        span: span.name,
        parentFound: parentOf(span) !== undefined,
        tree: describeTree(),
      }).toMatchObject({
        parentFound: true,
      });
    }
  });

  it('logs one access line per request carrying the trace, span, request, client and organisation ids', async () => {
    await eventually(
      () => (observed.system.output('token').includes(`"trace_id":"${traceId}"`) ? true : undefined),
      'the token access line',
    );
    const line = observed.system
      .output('token')
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => entry.msg === 'request' && entry.trace_id === traceId);
    const tokenServer = receiver
      .spans()
      .find((span) => span.traceId === traceId && span.service === 'token' && span.kind === KIND.SERVER);
    expect(line).toMatchObject({
      span_id: tokenServer?.spanId,
      request_id: expect.any(String),
      client_id: clientId,
      organization_id: identityOf(observed.system.pki, 'psp-ai').organizationIdentifier,
      grant_type: 'authorization_code',
      status: 200,
      duration_ms: expect.any(Number),
    });
  });

  it('starts a trace at the edge when the TPP sends none', async () => {
    const response = await observed.system.client('psp-ai')('/.well-known/oauth-authorization-server');
    expect(response.status).toBe(200);
    const edgeRoot = await receiver.spanArrives(
      (span) =>
        span.service === 'local-edge' &&
        span.kind === KIND.SERVER &&
        span.attribute('url.path') === '/.well-known/oauth-authorization-server' &&
        (span.parentSpanId ?? '') === '',
      'a root span at the edge',
    );
    await receiver.spanArrives(
      (span) => span.traceId === edgeRoot.traceId && span.service === 'token' && span.kind === KIND.SERVER,
      'the token service span in the edge-rooted trace',
    );
  });
});

it('never exports or logs a secret value the traced flow handled', async () => {
  expect(secrets.size).toBeGreaterThanOrEqual(7);
  expect(await observed.leaks()).toEqual([]);
});
