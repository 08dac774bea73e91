/*
 * What the pinned Envoy image (envoyproxy/envoy-distroless v1.34, deploy/k8s/base/kustomization.yaml)
 * has built in, for envoy-extensions.test.ts: a config naming an extension the binary lacks passes
 * the proto check yet fails at start-up, so every `name: envoy.*` and `@type` envoy.yaml uses must be
 * here. Taken from source/extensions/extensions_build_config.bzl at tag v1.34.1 (the upstream build,
 * which the distroless image ships unchanged): the extensions the edge uses, and neighbours of each
 * category so the list is a real allow-list rather than a copy of the config. Names are the factory
 * names Envoy registers (what a config says); where the .bzl key differs it is noted.
 * Raising the image tag means re-reading that file and updating this list.
 */

export interface ImageExtension {
  /** The name a config uses (`name:`), as registered by the extension's factory. */
  readonly name: string;
  /** The config message(s) its `typed_config` may carry, without `type.googleapis.com/`. */
  readonly configTypes: readonly string[];
}

const ext = (name: string, ...configTypes: string[]): ImageExtension => ({ name, configTypes });

export const ENVOY_IMAGE_EXTENSIONS: readonly ImageExtension[] = [
  // Access loggers.
  ext('envoy.access_loggers.stdout', 'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog'),
  ext('envoy.access_loggers.stderr', 'envoy.extensions.access_loggers.stream.v3.StderrAccessLog'),
  ext('envoy.access_loggers.file', 'envoy.extensions.access_loggers.file.v3.FileAccessLog'),
  ext('envoy.access_loggers.http_grpc', 'envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig'),
  ext('envoy.access_loggers.tcp_grpc', 'envoy.extensions.access_loggers.grpc.v3.TcpGrpcAccessLogConfig'),
  // Listener filters.
  ext(
    'envoy.filters.listener.tls_inspector',
    'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
  ),
  ext(
    'envoy.filters.listener.http_inspector',
    'envoy.extensions.filters.listener.http_inspector.v3.HttpInspector',
  ),
  ext('envoy.filters.listener.original_dst', 'envoy.extensions.filters.listener.original_dst.v3.OriginalDst'),
  ext(
    'envoy.filters.listener.proxy_protocol',
    'envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol',
  ),
  // Network filters.
  ext(
    'envoy.filters.network.http_connection_manager',
    'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  ),
  ext('envoy.filters.network.tcp_proxy', 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'),
  ext('envoy.filters.network.rbac', 'envoy.extensions.filters.network.rbac.v3.RBAC'),
  ext(
    'envoy.filters.network.connection_limit',
    'envoy.extensions.filters.network.connection_limit.v3.ConnectionLimit',
  ),
  // HTTP filters.
  ext('envoy.filters.http.router', 'envoy.extensions.filters.http.router.v3.Router'),
  ext('envoy.filters.http.buffer', 'envoy.extensions.filters.http.buffer.v3.Buffer'),
  ext('envoy.filters.http.health_check', 'envoy.extensions.filters.http.health_check.v3.HealthCheck'),
  ext('envoy.filters.http.cors', 'envoy.extensions.filters.http.cors.v3.Cors'),
  ext(
    'envoy.filters.http.local_ratelimit',
    'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
  ),
  ext('envoy.filters.http.rbac', 'envoy.extensions.filters.http.rbac.v3.RBAC'),
  ext('envoy.filters.http.ext_authz', 'envoy.extensions.filters.http.ext_authz.v3.ExtAuthz'),
  ext('envoy.filters.http.compressor', 'envoy.extensions.filters.http.compressor.v3.Compressor'),
  // Tracers.
  ext('envoy.tracers.opentelemetry', 'envoy.config.trace.v3.OpenTelemetryConfig'),
  ext('envoy.tracers.zipkin', 'envoy.config.trace.v3.ZipkinConfig'),
  ext('envoy.tracers.datadog', 'envoy.config.trace.v3.DatadogConfig'),
  // Stats sinks.
  ext('envoy.stat_sinks.open_telemetry', 'envoy.extensions.stat_sinks.open_telemetry.v3.SinkConfig'),
  ext('envoy.stat_sinks.statsd', 'envoy.config.metrics.v3.StatsdSink'),
  ext('envoy.stat_sinks.metrics_service', 'envoy.config.metrics.v3.MetricsServiceConfig'),
  // Resource monitors (overload manager).
  ext(
    'envoy.resource_monitors.fixed_heap',
    'envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig',
  ),
  // .bzl key envoy.resource_monitors.downstream_connections.
  ext(
    'envoy.resource_monitors.global_downstream_max_connections',
    'envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig',
  ),
  ext(
    'envoy.resource_monitors.injected_resource',
    'envoy.extensions.resource_monitors.injected_resource.v3.InjectedResourceConfig',
  ),
  // Retry predicates.
  ext(
    'envoy.retry_host_predicates.previous_hosts',
    'envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate',
  ),
  ext(
    'envoy.retry_host_predicates.omit_canary_hosts',
    'envoy.extensions.retry.host.omit_canary_hosts.v3.OmitCanaryHostsPredicate',
  ),
  ext(
    'envoy.retry_priorities.previous_priorities',
    'envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig',
  ),
  // Transport sockets (the TLS one carries either context; Secret is its SDS resource).
  ext(
    'envoy.transport_sockets.tls',
    'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
    'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
    'envoy.extensions.transport_sockets.tls.v3.Secret',
  ),
  ext('envoy.transport_sockets.raw_buffer', 'envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer'),
  ext(
    'envoy.transport_sockets.upstream_proxy_protocol',
    'envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport',
  ),
  // Upstream HTTP protocol options (typed_extension_protocol_options key).
  ext('envoy.upstreams.http.http_protocol_options', 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions'),
];

/**
 * Names Envoy knows without an extension: the overload actions are built into the overload manager, and
 * their typed_config (reduce_timeouts) is a core message.
 */
export const ENVOY_CORE_NAMES: readonly ImageExtension[] = [
  ext('envoy.overload_actions.shrink_heap'),
  ext('envoy.overload_actions.stop_accepting_requests'),
  ext('envoy.overload_actions.stop_accepting_connections'),
  ext('envoy.overload_actions.reject_incoming_connections'),
  ext('envoy.overload_actions.disable_http_keepalive'),
  ext('envoy.overload_actions.reset_high_memory_stream'),
  ext('envoy.overload_actions.reduce_timeouts', 'envoy.config.overload.v3.ScaleTimersOverloadActionConfig'),
];

/** The `name: envoy.*` values and `@type` messages of a config text that the image does not have. */
export function unknownToImage(configText: string): string[] {
  const known = [...ENVOY_IMAGE_EXTENSIONS, ...ENVOY_CORE_NAMES];
  const names = new Set(known.map((extension) => extension.name));
  const types = new Set(known.flatMap((extension) => extension.configTypes));
  const usedNames = [...configText.matchAll(/\bname: "?(envoy\.[\w.]+)/g)].map((match) => match[1] ?? '');
  const usedTypes = [...configText.matchAll(/"@type": "?type\.googleapis\.com\/([\w.]+)/g)].map(
    (match) => match[1] ?? '',
  );
  return [
    ...[...new Set(usedNames)].filter((name) => !names.has(name)).map((name) => `extension ${name}`),
    ...[...new Set(usedTypes)].filter((type) => !types.has(type)).map((type) => `@type ${type}`),
  ];
}
