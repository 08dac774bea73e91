import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { type EnvoySchema, loadEnvoySchema } from './envoy-schema.js';
import {
  at,
  clusters,
  envoyConfig as config,
  connectionManagerOf,
  ENVOY_DIR,
  type Json,
  list,
  listenerNamed,
  listeners,
  envoyText as text,
} from './envoy-yaml.test-support.js';
import { EDGE_HEALTH, EDGE_LIMITS, EDGE_TLS_POLICY, ENVOY_LISTEN_PORT, ENVOY_TLS_FILES } from './policy.js';
import { UPSTREAM_SERVICES } from './routes.js';

const SDS_FILES = ['sds-server-certificate.yaml', 'sds-client-ca.yaml', 'sds-upstream-tls.yaml'] as const;
const sds = Object.fromEntries(
  SDS_FILES.map((file) => [file, parse(readFileSync(new URL(file, ENVOY_DIR), 'utf8')) as Json]),
) as Record<(typeof SDS_FILES)[number], Json>;
const DISCOVERY_RESPONSE = 'envoy.service.discovery.v3.DiscoveryResponse';

let schema: EnvoySchema;
beforeAll(() => {
  schema = loadEnvoySchema();
});

/** The schema's issues, as one text, with `from` (which the real config must contain) edited to `to`. */
function issuesAfterEdit(from: string, to: string): string {
  expect(text).toContain(from);
  return schema.validateBootstrap(parse(text.replace(from, to))).join('\n');
}

const edgeListener = listenerNamed('edge_https');
const chain = at(edgeListener, 'filter_chains', 0);
const tls = at(chain, 'transport_socket', 'typed_config');
const hcm = connectionManagerOf('edge_https');

describe('envoy/envoy.yaml against the Envoy v3 Bootstrap protos', () => {
  it('is a valid bootstrap: no unknown field, every typed_config resolved', () => {
    expect(schema.validateBootstrap(config)).toEqual([]);
  });

  it.each(SDS_FILES)('%s is a valid SDS resource file', (file) => {
    expect(schema.validate(sds[file], DISCOVERY_RESPONSE)).toEqual([]);
  });

  it('fails an SDS file with a misspelt field', () => {
    const misspelt = readFileSync(new URL('sds-client-ca.yaml', ENVOY_DIR), 'utf8').replace(
      'trusted_ca:',
      'trusted_cas:',
    );
    expect(schema.validate(parse(misspelt), DISCOVERY_RESPONSE).join('\n')).toContain(
      'trusted_cas: unknown field of envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext',
    );
  });

  it('resolves the @type of every typed_config it contains', () => {
    const types = [...text.matchAll(/"@type": type\.googleapis\.com\/([\w.]+)/g)].map((match) => match[1]);
    expect(types.length).toBeGreaterThanOrEqual(10);
    expect(schema.hasType('envoy.extensions.filters.http.routr.v3.Router')).toBe(false);
    for (const type of new Set(types)) {
      expect(schema.hasType(type ?? '')).toBe(true);
    }
  });

  it.each([
    [
      'a top-level field is misspelt',
      'static_resources:',
      'static_resource:',
      '$.static_resource: unknown field',
    ],
    [
      'a field inside a typed_config is misspelt',
      'forward_client_cert_details:',
      'forward_client_cert_detail:',
      'forward_client_cert_detail: unknown field of envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    ],
    [
      'a field two Any levels deep is misspelt',
      'require_client_certificate:',
      'require_client_certficate:',
      'require_client_certficate: unknown field of envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
    ],
    ['an enum value is misspelt', 'SANITIZE_SET', 'SANITISE_SET', 'SANITISE_SET is not a value of'],
    [
      'an @type is misspelt',
      'filters.http.router.v3.Router',
      'filters.http.routr.v3.Router',
      'unknown @type',
    ],
    ['a scalar type is misspelt', 'port_value: 8443', 'port_value: eighty', 'expected uint32'],
    [
      'a duration is misspelt',
      'request_timeout: 30s',
      'request_timeout: 30 seconds',
      'not a valid google.protobuf.Duration',
    ],
    [
      'a required message is missing',
      'healthy_threshold: 1',
      '',
      'healthy_threshold: required by envoy.config.core.v3.HealthCheck',
    ],
    [
      'a non-empty string is missing',
      'stat_prefix: edge_health',
      'server_name: x',
      'stat_prefix: must be a non-empty string',
    ],
    [
      'a required oneof is missing',
      'route: { cluster: revocation, timeout: 15s, retry_policy: *retry_unsent }',
      'decorator: { operation: revoke }',
      'one of route, redirect',
    ],
  ])('fails when %s', (_case, from, to, expected) => {
    expect(issuesAfterEdit(from, to)).toContain(expected);
  });

  it('refuses deprecated fields', () => {
    const check = {
      timeout: '1s',
      interval: '5s',
      unhealthy_threshold: 2,
      healthy_threshold: 1,
      http_health_check: { path: '/readyz' },
    };
    expect(schema.validate(check, 'envoy.config.core.v3.HealthCheck')).toEqual([]);
    expect(
      schema.validate({ ...check, event_log_path: '/tmp/hc.log' }, 'envoy.config.core.v3.HealthCheck'),
    ).toEqual(['$.event_log_path: deprecated field of envoy.config.core.v3.HealthCheck']);
  });

  it('refuses two members of one oneof', () => {
    const issues = schema.validate(
      { match: { path: '/a', prefix: '/b' }, route: { cluster: 'token' } },
      'envoy.config.route.v3.Route',
    );
    expect(issues.join('\n')).toContain('oneof path_specifier already has path');
  });
});

describe('envoy/envoy.yaml security settings', () => {
  it('has one public HTTPS listener, on the edge port', () => {
    const names = listeners.map((listener) => at(listener, 'name'));
    expect(names).toEqual(['edge_https', 'edge_internal', 'edge_health']);
    expect(at(edgeListener, 'address', 'socket_address', 'port_value')).toBe(ENVOY_LISTEN_PORT);
    expect(list(at(edgeListener, 'filter_chains'))).toHaveLength(1);
  });

  it('speaks TLS 1.2 at least with the shared cipher list', () => {
    expect(at(tls, '@type')).toBe(
      'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
    );
    const params = at(tls, 'common_tls_context', 'tls_params');
    expect(at(params, 'tls_minimum_protocol_version')).toBe('TLSv1_2');
    expect(at(params, 'tls_maximum_protocol_version')).toBe('TLSv1_3');
    expect(at(params, 'cipher_suites')).toEqual(EDGE_TLS_POLICY.cipherSuites);
    expect(at(params, 'ecdh_curves')).toEqual(EDGE_TLS_POLICY.ecdhCurves);
  });

  it('validates client certificates against the QTSP bundle, optional at TLS level', () => {
    expect(at(tls, 'require_client_certificate')).toBe(false);
    const context = at(tls, 'common_tls_context');
    const server = at(context, 'tls_certificate_sds_secret_configs', 0);
    const clientCa = at(context, 'validation_context_sds_secret_config');
    expect(at(server, 'sds_config', 'path_config_source', 'path')).toBe(
      `${ENVOY_TLS_FILES.configDirectory}/sds-server-certificate.yaml`,
    );
    expect(at(clientCa, 'sds_config', 'path_config_source', 'path')).toBe(
      `${ENVOY_TLS_FILES.configDirectory}/sds-client-ca.yaml`,
    );
    // The names envoy.yaml asks for are the resources the SDS files define.
    const serverSecret = at(sds['sds-server-certificate.yaml'], 'resources', 0);
    const caSecret = at(sds['sds-client-ca.yaml'], 'resources', 0);
    expect(at(serverSecret, 'name')).toBe(at(server, 'name'));
    expect(at(caSecret, 'name')).toBe(at(clientCa, 'name'));
    expect(at(serverSecret, 'tls_certificate', 'certificate_chain', 'filename')).toBe(
      ENVOY_TLS_FILES.certificate,
    );
    expect(at(serverSecret, 'tls_certificate', 'private_key', 'filename')).toBe(ENVOY_TLS_FILES.privateKey);
    expect(at(caSecret, 'validation_context', 'trusted_ca', 'filename')).toBe(ENVOY_TLS_FILES.clientCa);
    // Revoked QWACs fail the handshake; every certificate of the chain checked, as Node's `crl` does.
    expect(at(caSecret, 'validation_context', 'crl', 'filename')).toBe(ENVOY_TLS_FILES.clientCrl);
    expect(JSON.stringify(sds['sds-client-ca.yaml'])).not.toContain('only_verify_leaf_cert_crl');
    // Reloaded when Kubernetes swaps the mounted files: rotation without a restart.
    expect(at(serverSecret, 'tls_certificate', 'watched_directory', 'path')).toBe('/etc/envoy/tls');
    expect(at(caSecret, 'validation_context', 'watched_directory', 'path')).toBe('/etc/envoy/client-ca');
    // Nothing that would let an invalid certificate through.
    for (const document of [text, ...SDS_FILES.map((file) => JSON.stringify(sds[file]))]) {
      expect(document).not.toMatch(/trust_chain_verification|ACCEPT_UNTRUSTED|allow_expired_certificate/);
    }
  });

  it('replaces any client-sent XFCC with the verified certificate: Hash, Cert and Subject, never the chain', () => {
    expect(at(hcm, 'forward_client_cert_details')).toBe('SANITIZE_SET');
    // Hash is always written; chain, uri and dns stay off, so a long chain never meets a 431 upstream.
    expect(at(hcm, 'set_current_client_cert_details')).toEqual({ cert: true, subject: true });
  });

  it('uses the remote address, request ids, and the shared timeouts and limits', () => {
    expect(at(hcm, 'use_remote_address')).toBe(true);
    expect(at(hcm, 'xff_num_trusted_hops')).toBe(0);
    expect(at(hcm, 'generate_request_id')).toBe(true);
    expect(at(hcm, 'preserve_external_request_id')).toBe(true);
    expect(at(hcm, 'request_timeout')).toBe(`${EDGE_LIMITS.requestTimeoutSeconds}s`);
    expect(at(hcm, 'request_headers_timeout')).toBe(`${EDGE_LIMITS.requestHeadersTimeoutSeconds}s`);
    expect(at(hcm, 'common_http_protocol_options', 'idle_timeout')).toBe(
      `${EDGE_LIMITS.idleTimeoutSeconds}s`,
    );
    expect(at(hcm, 'max_request_headers_kb')).toBe(EDGE_LIMITS.maxRequestHeadersKb);
    const buffer = list(at(hcm, 'http_filters')).find(
      (filter) => at(filter, 'name') === 'envoy.filters.http.buffer',
    );
    expect(at(buffer, 'typed_config', 'max_request_bytes')).toBe(EDGE_LIMITS.maxRequestBodyBytes);
    const last = list(at(hcm, 'http_filters')).at(-1);
    expect(at(last, 'name')).toBe('envoy.filters.http.router');
  });

  it('logs JSON with the trace id and traces to the OpenTelemetry collector', () => {
    const format = at(hcm, 'access_log', 0, 'typed_config', 'log_format', 'json_format');
    expect(at(format, 'trace_id')).toBe('%TRACE_ID%');
    expect(at(format, 'request_id')).toBe('%REQ(X-REQUEST-ID)%');
    const provider = at(hcm, 'tracing', 'provider');
    expect(at(provider, 'name')).toBe('envoy.tracers.opentelemetry');
    const collector = at(provider, 'typed_config', 'grpc_service', 'envoy_grpc', 'cluster_name');
    expect(clusters.map((cluster) => at(cluster, 'name'))).toContain(collector);
  });

  it('answers readiness on the plain-HTTP health port, nothing else', () => {
    const health = listenerNamed('edge_health');
    expect(at(health, 'address', 'socket_address', 'port_value')).toBe(EDGE_HEALTH.port);
    const manager = at(health, 'filter_chains', 0, 'filters', 0, 'typed_config');
    const check = at(manager, 'http_filters', 0, 'typed_config');
    expect(at(check, 'pass_through_mode')).toBe(false);
    expect(at(check, 'headers', 0, 'string_match', 'exact')).toBe(EDGE_HEALTH.path);
    expect(at(manager, 'route_config', 'virtual_hosts', 0, 'routes')).toEqual([
      { match: { prefix: '/' }, direct_response: { status: 404 } },
    ]);
  });

  it('binds the admin interface to loopback', () => {
    expect(at(config, 'admin', 'address', 'socket_address', 'address')).toBe('127.0.0.1');
  });

  it('health-checks every service cluster and keeps upstream connections shorter-lived than Node', () => {
    for (const service of UPSTREAM_SERVICES) {
      const cluster = clusters.find((candidate) => at(candidate, 'name') === service);
      expect(at(cluster, 'health_checks', 0, 'http_health_check', 'path')).toBe('/readyz');
      expect(at(cluster, 'connect_timeout')).toBe(`${EDGE_LIMITS.upstreamConnectTimeoutSeconds}s`);
    }
  });
});
