import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import {
  at,
  clusterNamed,
  envoyConfig as config,
  connectionManagerOf,
  ENVOY_DIR,
  list,
  listenerNamed,
} from './envoy-yaml.test-support.js';
import { UPSTREAM_SERVICES } from './routes.js';

/* Overload, circuit breaking, outlier detection, HTTP/2 limits, logs, stats and upstream TLS. */

const PUBLIC_LISTENERS = ['edge_https', 'edge_internal'] as const;
const upstreamSds: unknown = parse(readFileSync(new URL('sds-upstream-tls.yaml', ENVOY_DIR), 'utf8'));

describe('envoy/envoy.yaml under load and failure', () => {
  it('sheds load with the overload manager: a fixed heap budget and a global connection cap', () => {
    const manager = at(config, 'overload_manager');
    const monitors = list(at(manager, 'resource_monitors'));
    const heap = monitors.find((monitor) => at(monitor, 'name') === 'envoy.resource_monitors.fixed_heap');
    // Three quarters of the container's 256 MiB memory limit (deploy/k8s/base/edge.yaml).
    expect(at(heap, 'typed_config', 'max_heap_size_bytes')).toBe(192 * 1024 * 1024);
    const connections = monitors.find(
      (monitor) => at(monitor, 'name') === 'envoy.resource_monitors.global_downstream_max_connections',
    );
    expect(at(connections, 'typed_config', 'max_active_downstream_connections')).toBe(5000);
    const actions = list(at(manager, 'actions')).map((action) => at(action, 'name'));
    expect(actions).toEqual(
      expect.arrayContaining([
        'envoy.overload_actions.shrink_heap',
        'envoy.overload_actions.disable_http_keepalive',
        'envoy.overload_actions.stop_accepting_requests',
      ]),
    );
  });

  it.each(UPSTREAM_SERVICES)(
    'bounds the %s cluster with circuit breakers and outlier detection',
    (service) => {
      const cluster = clusterNamed(service);
      const limits = at(cluster, 'circuit_breakers', 'thresholds', 0) as Record<string, number>;
      for (const key of ['max_connections', 'max_pending_requests', 'max_requests', 'max_retries']) {
        expect(limits[key]).toBeGreaterThan(0);
      }
      // HTTP/1.1 upstream: one request a connection, so as many connections as requests in flight.
      expect(limits.max_connections).toBe(limits.max_requests);
      expect(limits.max_retries).toBeLessThan(limits.max_requests ?? 0);
      expect(at(cluster, 'outlier_detection', 'consecutive_gateway_failure')).toBe(3);
      expect(at(cluster, 'outlier_detection', 'max_ejection_percent')).toBe(50);
    },
  );

  it('sizes the token cluster for the bench figures (docs in the comment above it)', () => {
    expect(at(clusterNamed('token'), 'circuit_breakers', 'thresholds', 0, 'max_requests')).toBe(1024);
  });

  it.each(PUBLIC_LISTENERS)('limits HTTP/2 and headers on %s', (name) => {
    const manager = connectionManagerOf(name);
    expect(at(manager, 'http2_protocol_options')).toEqual({
      max_concurrent_streams: 100,
      initial_stream_window_size: 65536,
      initial_connection_window_size: 1048576,
    });
    expect(at(manager, 'common_http_protocol_options', 'max_headers_count')).toBe(100);
    expect(at(manager, 'max_request_headers_kb')).toBe(60);
  });
});

describe('envoy/envoy.yaml logs and stats', () => {
  it.each(PUBLIC_LISTENERS)(
    'logs every connection of %s, failed handshakes included, in JSON with the TLS failure reason',
    (name) => {
      const log = at(listenerNamed(name), 'access_log', 0);
      expect(at(log, 'name')).toBe('envoy.access_loggers.stdout');
      const format = at(log, 'typed_config', 'log_format', 'json_format');
      expect(at(format, 'tls_failure_reason')).toBe('%DOWNSTREAM_TRANSPORT_FAILURE_REASON%');
      expect(at(format, 'client_address')).toBe('%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%');
      const requests = at(
        connectionManagerOf(name),
        'access_log',
        0,
        'typed_config',
        'log_format',
        'json_format',
      );
      expect(at(requests, 'tls_failure_reason')).toBe('%DOWNSTREAM_TRANSPORT_FAILURE_REASON%');
    },
  );

  it('exports its stats to the OpenTelemetry collector; the admin interface stays on loopback', () => {
    const sink = at(config, 'stats_sinks', 0);
    expect(at(sink, 'name')).toBe('envoy.stat_sinks.open_telemetry');
    expect(at(sink, 'typed_config', 'grpc_service', 'envoy_grpc', 'cluster_name')).toBe(
      'opentelemetry_collector',
    );
    expect(at(config, 'admin', 'address', 'socket_address', 'address')).toBe('127.0.0.1');
  });

  it('marks the listeners to drain on shutdown as inbound, and not the health listener', () => {
    for (const name of PUBLIC_LISTENERS) expect(at(listenerNamed(name), 'traffic_direction')).toBe('INBOUND');
    expect(listenerNamed('edge_health')).not.toHaveProperty('traffic_direction');
  });
});

describe('envoy/envoy.yaml upstream TLS (contract edge-tls)', () => {
  it('reads the edge-upstream-tls Secret where Kubernetes mounts it, watched for renewals', () => {
    const resources = list(at(upstreamSds, 'resources'));
    const byName = Object.fromEntries(resources.map((resource) => [at(resource, 'name'), resource]));
    const certificate = at(byName.edge_upstream_client_certificate, 'tls_certificate');
    expect(at(certificate, 'certificate_chain', 'filename')).toBe('/etc/envoy/upstream-tls/tls.crt');
    expect(at(certificate, 'private_key', 'filename')).toBe('/etc/envoy/upstream-tls/tls.key');
    expect(at(certificate, 'watched_directory', 'path')).toBe('/etc/envoy/upstream-tls');
    const ca = at(byName.edge_upstream_ca, 'validation_context');
    expect(at(ca, 'trusted_ca', 'filename')).toBe('/etc/envoy/upstream-tls/ca.crt');
    expect(at(ca, 'watched_directory', 'path')).toBe('/etc/envoy/upstream-tls');
  });

  it.each(UPSTREAM_SERVICES)(
    'calls %s over TLS, presenting psd2-edge, requiring the Service name',
    (service) => {
      const socket = at(clusterNamed(service), 'transport_socket');
      expect(at(socket, 'name')).toBe('envoy.transport_sockets.tls');
      const context = at(socket, 'typed_config');
      expect(at(context, '@type')).toBe(
        'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      );
      expect(at(context, 'sni')).toBe(service);
      const common = at(context, 'common_tls_context');
      expect(at(common, 'tls_certificate_sds_secret_configs', 0, 'name')).toBe(
        'edge_upstream_client_certificate',
      );
      const validation = at(common, 'combined_validation_context');
      expect(at(validation, 'default_validation_context', 'match_typed_subject_alt_names')).toEqual([
        { san_type: 'DNS', matcher: { exact: service } },
      ]);
      expect(at(validation, 'validation_context_sds_secret_config', 'name')).toBe('edge_upstream_ca');
      expect(
        at(validation, 'validation_context_sds_secret_config', 'sds_config', 'path_config_source', 'path'),
      ).toBe('/etc/envoy/config/sds-upstream-tls.yaml');
    },
  );
});
