import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ClientRegistry, createClientRegistry } from '@psd2/client-registry-client';
import {
  formPost,
  identityOf,
  plantConsent,
  registerTestClient,
  TEST_REDIRECT_URI,
} from '@psd2/oauth-test-fixtures';
import { generateTotpSecret, totpAt } from '@psd2/psu-directory';
import { type RunningSystem, startSystem } from '@psd2/testing';
import { createRedisTokenStore, hashSecret, type TokenStore } from '@psd2/token-store';

/*
 * Issue 10's proof: the whole system as processes, exporting to an OTLP/HTTP (JSON) receiver that
 * stands in for the OpenTelemetry Collector. One TPP request must be one trace across the edge, the
 * token service, the registry (gRPC client and server) and Redis, with correct parent links; the
 * product's metrics must arrive; and nothing secret that the flows handled may appear in anything
 * exported, nor in any process's log output.
 */

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
}
interface OtlpResource {
  attributes: OtlpAttribute[];
}
interface TraceExport {
  resourceSpans: Array<{
    resource: OtlpResource;
    scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>;
  }>;
}
interface DataPoint {
  attributes?: OtlpAttribute[];
  asInt?: number | string;
  asDouble?: number;
  count?: number | string;
}
interface OtlpMetric {
  name: string;
  sum?: { dataPoints: DataPoint[] };
  gauge?: { dataPoints: DataPoint[] };
  histogram?: { dataPoints: DataPoint[] };
}
interface MetricExport {
  resourceMetrics: Array<{
    resource: OtlpResource;
    scopeMetrics: Array<{ scope: { name: string }; metrics: OtlpMetric[] }>;
  }>;
}

interface Span extends OtlpSpan {
  readonly service: string;
  readonly scope: string;
  attribute(key: string): string | number | boolean | undefined;
}
interface Metric extends OtlpMetric {
  readonly service: string;
}

const KIND = { SERVER: 2, CLIENT: 3 } as const;

function plainValue(value: OtlpValue | undefined): string | number | boolean | undefined {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return value.boolValue;
}

const attributeOf = (attributes: OtlpAttribute[] | undefined, key: string) =>
  plainValue(attributes?.find((attribute) => attribute.key === key)?.value);

/** Everything an OpenTelemetry Collector would receive, raw (for the leak search) and parsed. */
class OtlpReceiver {
  readonly raw: string[] = [];
  private readonly traces: TraceExport[] = [];
  private readonly metricExports: MetricExport[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        this.raw.push(body);
        if (req.url === '/v1/traces') this.traces.push(JSON.parse(body) as TraceExport);
        if (req.url === '/v1/metrics') this.metricExports.push(JSON.parse(body) as MetricExport);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  spans(): Span[] {
    return this.traces.flatMap((batch) =>
      batch.resourceSpans.flatMap((resourceSpans) =>
        resourceSpans.scopeSpans.flatMap((scopeSpans) =>
          scopeSpans.spans.map((span) => ({
            ...span,
            scope: scopeSpans.scope.name,
            service: String(attributeOf(resourceSpans.resource.attributes, 'service.name')),
            attribute: (key: string) => attributeOf(span.attributes, key),
          })),
        ),
      ),
    );
  }

  metrics(): Metric[] {
    return this.metricExports.flatMap((batch) =>
      batch.resourceMetrics.flatMap((resourceMetrics) =>
        resourceMetrics.scopeMetrics.flatMap((scopeMetrics) =>
          scopeMetrics.metrics.map((metric) => ({
            ...metric,
            service: String(attributeOf(resourceMetrics.resource.attributes, 'service.name')),
          })),
        ),
      ),
    );
  }
}

async function eventually<T>(read: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const dataPointsOf = (metric: OtlpMetric): DataPoint[] =>
  metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? metric.gauge?.dataPoints ?? [];

const receiver = new OtlpReceiver();
let system: RunningSystem;
let registry: ClientRegistry;
let store: TokenStore;
/** Every secret value the flows below handle; none may appear in telemetry or logs. */
const secrets = new Map<string, string>();
// The seeded sandbox PSUs' credentials, secret for this run: the bank page signs one of them in for real.
const psuPassword = `pw-${randomBytes(12).toString('base64url')}`;
const psuTotpSecret = generateTotpSecret();

beforeAll(async () => {
  await receiver.start();
  system = await startSystem({
    label: 'observability',
    env: {
      authorization: {
        DEPLOYMENT_MODE: 'sandbox',
        SANDBOX_BANK_PAGE: 'true',
        SANDBOX_PSU_PASSWORD: psuPassword,
        SANDBOX_TOTP_SECRET: psuTotpSecret,
      },
    },
    commonEnv: {
      OTEL_SDK_DISABLED: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_SERVICE_NAME: '',
    },
  });
  registry = createClientRegistry({ address: system.registryAddress, transport: { plaintext: true } });
  store = createRedisTokenStore({ url: system.redisUrl, keyPrefix: system.redisKeyPrefix });
  for (const name of ['tpp-a', 'psp-ai', 'psp-as'] as const) {
    const key = readFileSync(system.pki.qwacs[name].key, 'utf8');
    // A long run of the private key's base64 body: any copy of the key would contain it.
    const body = key.split('\n').filter((line) => line !== '' && !line.startsWith('-----'))[1];
    if (body !== undefined) secrets.set(`${name} private key`, body);
  }
}, 60_000);

afterAll(async () => {
  registry?.close();
  await store?.close();
  await system?.stop();
  await receiver.stop();
});

describe('one TPP request, one trace', () => {
  const traceId = randomBytes(16).toString('hex');
  const callerSpanId = randomBytes(8).toString('hex');
  let clientId: string;

  it('exchanges an authorization code through the edge, continuing the TPP trace', async () => {
    const client = await registerTestClient(registry, system.pki, 'psp-ai', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    clientId = client.clientId;
    const consent = await plantConsent(store, client, 'aisp');
    secrets.set('authorization code', consent.code);
    secrets.set('code_verifier', consent.verifier);
    const response = await system.client('psp-ai')('/oauth2/token', {
      ...formPost({
        grant_type: 'authorization_code',
        client_id: client.clientId,
        code: consent.code,
        redirect_uri: TEST_REDIRECT_URI,
        code_verifier: consent.verifier,
      }),
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
      identityOf(system.pki, 'psp-ai').organizationIdentifier,
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
      () => (system.output('token').includes(`"trace_id":"${traceId}"`) ? true : undefined),
      'the token access line',
    );
    const line = system
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
      organization_id: identityOf(system.pki, 'psp-ai').organizationIdentifier,
      grant_type: 'authorization_code',
      status: 200,
      duration_ms: expect.any(Number),
    });
  });

  it('starts a trace at the edge when the TPP sends none', async () => {
    const response = await system.client('psp-ai')('/.well-known/oauth-authorization-server');
    expect(response.status).toBe(200);
    const edgeRoot = await eventually(
      () =>
        receiver
          .spans()
          .find(
            (span) =>
              span.service === 'local-edge' &&
              span.kind === KIND.SERVER &&
              span.attribute('url.path') === '/.well-known/oauth-authorization-server' &&
              (span.parentSpanId ?? '') === '',
          ),
      'a root span at the edge',
    );
    await eventually(
      () =>
        receiver
          .spans()
          .find(
            (span) =>
              span.traceId === edgeRoot.traceId && span.service === 'token' && span.kind === KIND.SERVER,
          ),
      'the token service span in the edge-rooted trace',
    );
  });
});

describe('the other flows a TPP runs, for metrics and the leak search', () => {
  it('registers a client (RFC 7591) and reads it back with its registration access token (RFC 7592)', async () => {
    const registered = await system.client('tpp-a')('/oauth2/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: ['https://tpp.example.com/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'aisp',
        client_name: 'Observability test',
        token_endpoint_auth_method: 'tls_client_auth',
      }),
    });
    expect(registered.status).toBe(201);
    const client = registered.json<{ client_id: string; registration_access_token: string }>();
    secrets.set('registration access token', client.registration_access_token);
    const read = await system.client('tpp-a')(`/oauth2/register/${client.client_id}`, {
      headers: { authorization: `Bearer ${client.registration_access_token}` },
    });
    expect(read.status).toBe(200);
  });

  it('refreshes, introspects, replays a code and revokes', async () => {
    const client = await registerTestClient(registry, system.pki, 'psp-ai', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    const consent = await plantConsent(store, client, 'aisp');
    secrets.set('second authorization code', consent.code);
    secrets.set('second code_verifier', consent.verifier);
    const exchange = formPost({
      grant_type: 'authorization_code',
      client_id: client.clientId,
      code: consent.code,
      redirect_uri: TEST_REDIRECT_URI,
      code_verifier: consent.verifier,
    });
    const first = await system.client('psp-ai')('/oauth2/token', exchange);
    expect(first.status).toBe(200);
    const issued = first.json<{ access_token: string; refresh_token: string }>();
    secrets.set('second access token', issued.access_token);
    secrets.set('second refresh token', issued.refresh_token);

    // A replayed code: an OAuth error, and an exception inside the service.
    const replay = await system.client('psp-ai')('/oauth2/token', exchange);
    expect(replay.json()).toMatchObject({ error: 'invalid_grant' });

    const consent3 = await plantConsent(store, client, 'aisp');
    secrets.set('third authorization code', consent3.code);
    secrets.set('third code_verifier', consent3.verifier);
    const third = await system.client('psp-ai')(
      '/oauth2/token',
      formPost({
        grant_type: 'authorization_code',
        client_id: client.clientId,
        code: consent3.code,
        redirect_uri: TEST_REDIRECT_URI,
        code_verifier: consent3.verifier,
      }),
    );
    const live = third.json<{ access_token: string; refresh_token: string }>();
    secrets.set('third access token', live.access_token);
    secrets.set('third refresh token', live.refresh_token);
    const refreshed = await system.client('psp-ai')(
      '/oauth2/token',
      formPost({
        grant_type: 'refresh_token',
        client_id: client.clientId,
        refresh_token: live.refresh_token,
      }),
    );
    expect(refreshed.status).toBe(200);
    // Refresh tokens are not rotated by default: the answer carries a new access token only, and the
    // same refresh token serves again (a retry after a lost answer).
    const rotated = { ...refreshed.json<{ access_token: string }>(), refresh_token: live.refresh_token };
    secrets.set('refreshed access token', rotated.access_token);
    const retried = await system.client('psp-ai')(
      '/oauth2/token',
      formPost({
        grant_type: 'refresh_token',
        client_id: client.clientId,
        refresh_token: live.refresh_token,
      }),
    );
    expect(retried.status).toBe(200);
    secrets.set('access token of a retried refresh', retried.json<{ access_token: string }>().access_token);

    const introspected = await system.client('psp-as')(
      '/oauth2/introspect',
      formPost({ token: rotated.access_token }),
    );
    expect(introspected.json()).toMatchObject({ active: true });
    const revoked = await system.client('psp-ai')(
      '/oauth2/revoke',
      formPost({
        client_id: client.clientId,
        token: rotated.refresh_token,
        token_type_hint: 'refresh_token',
      }),
    );
    expect(revoked.status).toBe(200);
    // The revoked refresh token presented again: invalid_grant.
    const afterRevocation = await system.client('psp-ai')(
      '/oauth2/token',
      formPost({
        grant_type: 'refresh_token',
        client_id: client.clientId,
        refresh_token: rotated.refresh_token,
      }),
    );
    expect(afterRevocation.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('puts the OAuth error code on the failing request span', async () => {
    const failed = await eventually(
      () =>
        receiver
          .spans()
          .find(
            (span) =>
              span.service === 'token' &&
              span.kind === KIND.SERVER &&
              span.attribute('oauth.error') === 'invalid_grant',
          ),
      'a token span with oauth.error',
    );
    expect(failed.attribute('http.response.status_code')).toBe(400);
    expect(failed.attribute('oauth.grant_type')).toBeDefined();
  });

  it('signs a PSU in on the bank page: password, one-time code, consent', async () => {
    secrets.set('PSU password', psuPassword);
    secrets.set('PSU TOTP secret', psuTotpSecret);
    const client = await registerTestClient(registry, system.pki, 'psp-ai', {
      scope: 'aisp',
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    const verifier = randomBytes(32).toString('base64url');
    const browser = system.client(undefined);
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'aisp',
      state: 'observed',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const page = await browser(`/oauth2/fr/banque/oauth2_authorization.aspx?${query}`);
    expect(page.status).toBe(200);
    let cookie = page.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const post = (path: string, fields: Record<string, string>) =>
      browser(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: system.edgeUrl },
        body: new URLSearchParams({ csrf_token: csrf, ...fields }).toString(),
      });
    const signedIn = await post('/oauth2/fr/banque/signin', {
      customer_id: 'psu-alice',
      password: psuPassword,
    });
    expect(signedIn.headers.get('location')).toBe('/oauth2/fr/banque/otp');
    const otp = totpAt(psuTotpSecret, Math.floor(Date.now() / 1000));
    secrets.set('PSU one-time password', otp);
    const verified = await post('/oauth2/fr/banque/otp', { otp });
    expect(verified.headers.get('location')).toBe('/oauth2/fr/banque/consent');
    cookie = verified.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const granted = await post('/oauth2/fr/banque/consent', { decision: 'grant' });
    expect(granted.status).toBe(303);
    const code = new URL(granted.headers.get('location') ?? '').searchParams.get('code') ?? '';
    expect(code).toMatch(/^[\w-]{43}$/);
    secrets.set('bank sign-in authorization code', code);
  });

  it('exports token, error, latency, registry, token-store and active-grant metrics without client labels', async () => {
    const named = (name: string, service?: string) =>
      receiver
        .metrics()
        .filter((metric) => metric.name === name && (service === undefined || metric.service === service));
    const points = (name: string, service?: string) => named(name, service).flatMap(dataPointsOf);
    await eventually(
      () =>
        points('psd2.oauth.tokens.issued', 'token').some(
          (point) => attributeOf(point.attributes, 'oauth.grant_type') === 'refresh_token',
        ) &&
        points('psd2.oauth.errors', 'revocation').length + points('psd2.oauth.errors', 'token').length > 0
          ? true
          : undefined,
      'the token and error counters',
    );
    const issued = points('psd2.oauth.tokens.issued', 'token');
    expect(issued).toContainEqual(
      expect.objectContaining({
        attributes: expect.arrayContaining([
          { key: 'oauth.grant_type', value: { stringValue: 'authorization_code' } },
          { key: 'oauth.scope', value: { stringValue: 'aisp' } },
        ]),
      }),
    );
    const errors = points('psd2.oauth.errors', 'token');
    expect(
      errors.some(
        (point) =>
          attributeOf(point.attributes, 'oauth.error') === 'invalid_grant' &&
          attributeOf(point.attributes, 'http.route') === '/oauth2/token',
      ),
    ).toBe(true);
    // Request latency per endpoint (the HTTP instrumentation's histogram, with the express route).
    expect(
      points('http.server.request.duration', 'token').some(
        (point) => attributeOf(point.attributes, 'http.route') === '/oauth2/token',
      ),
    ).toBe(true);
    expect(
      points('rpc.server.call.duration', 'client-registry').some(
        (point) => attributeOf(point.attributes, 'rpc.method') === 'GetClient',
      ),
    ).toBe(true);
    expect(points('psd2.client_registry.call.duration', 'token').length).toBeGreaterThan(0);
    expect(
      points('psd2.token_store.operation.duration', 'token').some(
        (point) => attributeOf(point.attributes, 'psd2.token_store.operation') === 'redeemAuthorizationCode',
      ),
    ).toBe(true);
    await eventually(
      () => (points('psd2.oauth.grants.active', 'token').length > 0 ? true : undefined),
      'the active-grants gauge',
    );
    // Bounded cardinality: no metric carries a client or organisation id.
    for (const metric of receiver.metrics()) {
      for (const point of dataPointsOf(metric)) {
        const keys = (point.attributes ?? []).map((attribute) => attribute.key);
        expect({ metric: metric.name, keys }).not.toMatchObject({
          keys: expect.arrayContaining(['oauth.client_id']),
        });
        expect(keys).not.toContain('psd2.organization_id');
      }
    }
  });

  it('never exports or logs a secret value the flows handled', async () => {
    // Give the last batches (spans every 100 ms, metrics every 500 ms) time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(secrets.size).toBeGreaterThanOrEqual(20);
    const exported = receiver.raw.join('\n');
    expect(exported.length).toBeGreaterThan(10_000);
    const logs = (
      ['registration', 'authorization', 'token', 'revocation', 'client-registry', 'local-edge'] as const
    )
      .map((name) => system.output(name))
      .join('\n');
    // Codes and tokens are Redis keys by their SHA-256: a Redis command's arguments in a span would show
    // those, so they are searched for too (a code_verifier's hash is its public code_challenge: not).
    const searched = new Map(secrets);
    for (const [what, value] of secrets) {
      if (/token|authorization code/.test(what))
        searched.set(`${what} (SHA-256, its Redis key)`, hashSecret(value));
    }
    const hits: string[] = [];
    for (const [what, value] of searched) {
      expect(value.length).toBeGreaterThanOrEqual(6);
      // A six-digit one-time password would match inside any nanosecond timestamp: digits must not touch it.
      const found = /^\d+$/.test(value)
        ? (text: string) => new RegExp(`(?<![0-9])${value}(?![0-9])`).test(text)
        : (text: string) => text.includes(value);
      if (found(exported)) hits.push(`${what} in exported telemetry`);
      if (found(logs)) hits.push(`${what} in a log`);
    }
    expect(hits).toEqual([]);
  });
});
