import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  metrics,
  type ObservableGauge,
  ValueType,
} from '@opentelemetry/api';

/*
 * The product's own instruments, on the OpenTelemetry metrics API. Exporters are the SDK's business
 * (sdk.ts): OTLP when a collector is named, a Prometheus scrape endpoint on request, nothing otherwise.
 *
 * Label cardinality is bounded on purpose: grant type, scope, endpoint, error code, operation name and
 * outcome only. Client and organisation ids belong on spans and log lines, never on metrics, where
 * every new TPP would add a time series.
 */

export const METER_NAME = 'psd2';

/** Latency histograms are in seconds (OpenTelemetry semantic conventions), with buckets fit for sub-millisecond Redis calls. */
const LATENCY = {
  valueType: ValueType.DOUBLE,
  advice: {
    explicitBucketBoundaries: [
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10,
    ],
  },
};

export interface Psd2Instruments {
  /** Tokens issued; attributes `oauth.grant_type`, `oauth.scope`, `oauth.token_type` (access or refresh). */
  readonly tokensIssued: Counter;
  /** OAuth error responses; attributes `http.route` (the endpoint), `oauth.error`, `http.response.status_code`. */
  readonly oauthErrors: Counter;
  /** One client-registry operation as a service sees it (gRPC call, retries and read cache included). */
  readonly registryCallDuration: Histogram;
  /** One gRPC call handled (server side, @psd2/grpc-server); attributes `rpc.service`, `rpc.method`, `rpc.grpc.status_code`. */
  readonly rpcServerDuration: Histogram;
  /** One token-store operation; attributes `psd2.token_store.operation`, `psd2.outcome`. */
  readonly tokenStoreDuration: Histogram;
  /**
   * One complete PSU sign-in answered (authorization); attributes `psd2.outcome` (ok, refused) and,
   * when refused, `psd2.sign_in.refusal` (unknown_or_locked, wrong_password, wrong_code, replayed_code).
   */
  readonly psuSignIns: Counter;
  /** A PSU locked by this failed sign-in (authorization); no attribute: the PSU id is never a label. */
  readonly psuLockouts: Counter;
}

/*
 * The API hands out no-op instruments until the SDK has registered its MeterProvider, and they stay
 * no-ops. The preload starts the SDK before any service module loads, but the cache is keyed by the
 * provider anyway, so that code evaluated earlier (tests, tools) does not keep dead instruments.
 */
let cached: { provider: MeterProvider; instruments: Psd2Instruments } | undefined;

export function meter(): Meter {
  return metrics.getMeter(METER_NAME);
}

export function instruments(): Psd2Instruments {
  const provider = metrics.getMeterProvider();
  if (cached?.provider === provider) return cached.instruments;
  const m = provider.getMeter(METER_NAME);
  // Each instrument is spelled out with its name and unit: deploy/src/emitted-metrics.ts reads them
  // from this source to check that the dashboard and alerts query series that exist.
  const created: Psd2Instruments = {
    tokensIssued: m.createCounter('psd2.oauth.tokens.issued', {
      description: 'Tokens issued by the token endpoint, by grant type and scope.',
      unit: '{token}',
      valueType: ValueType.INT,
    }),
    oauthErrors: m.createCounter('psd2.oauth.errors', {
      description: 'OAuth error responses, by endpoint and error code.',
      unit: '{response}',
      valueType: ValueType.INT,
    }),
    registryCallDuration: m.createHistogram('psd2.client_registry.call.duration', {
      description:
        'Client-registry operations as the calling service sees them (gRPC, retries and read cache included).',
      unit: 's',
      ...LATENCY,
    }),
    rpcServerDuration: m.createHistogram('rpc.server.call.duration', {
      description: 'gRPC calls handled (client registry, payment consent; by rpc.service).',
      unit: 's',
      ...LATENCY,
    }),
    tokenStoreDuration: m.createHistogram('psd2.token_store.operation.duration', {
      description: 'Token-store (Redis) operations.',
      unit: 's',
      ...LATENCY,
    }),
    psuSignIns: m.createCounter('psd2.psu.sign_ins', {
      description: 'Completed PSU sign-ins (password and one-time code), by outcome and refusal reason.',
      unit: '{sign_in}',
      valueType: ValueType.INT,
    }),
    psuLockouts: m.createCounter('psd2.psu.lockouts', {
      description: 'PSUs locked after too many failed sign-ins in a row (PSD2 RTS Art. 4(3)(b)).',
      unit: '{lockout}',
      valueType: ValueType.INT,
    }),
  };
  cached = { provider, instruments: created };
  return created;
}

/** Registers an observable gauge; returns a function that removes its callback (for shutdown). */
export function observeGauge(
  name: string,
  options: { readonly description: string; readonly unit: string },
  read: () => number | undefined,
): () => void {
  const gauge: ObservableGauge = meter().createObservableGauge(name, {
    ...options,
    valueType: ValueType.INT,
  });
  const callback = (result: { observe(value: number, attributes?: Attributes): void }) => {
    const value = read();
    if (value !== undefined) result.observe(value);
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}

/**
 * Wraps every promise-returning method of `target` so that each call records its duration on
 * `histogram`, labelled with the method name and whether it succeeded. Arguments are never looked
 * at: they include tokens. Methods listed in `skip` (close, ping) are passed through untouched.
 */
export function timeAsyncMethods<T extends object>(
  target: T,
  histogram: () => Histogram,
  options: { readonly operationAttribute: string; readonly skip?: readonly string[] },
): T {
  const skip = new Set(options.skip ?? []);
  // One wrapper and one pair of label sets per method, made on first use: the store's methods run
  // several times per token request.
  const wrappers = new Map<string, { readonly method: unknown; readonly wrapper: unknown }>();
  const wrap = (object: T, property: string, method: (...args: unknown[]) => unknown) => {
    const ok: Attributes = { [options.operationAttribute]: property, 'psd2.outcome': 'ok' };
    const failed: Attributes = { [options.operationAttribute]: property, 'psd2.outcome': 'error' };
    return (...args: unknown[]): unknown => {
      const started = performance.now();
      const result: unknown = Reflect.apply(method, object, args);
      if (!(result instanceof Promise)) return result;
      return result.then(
        (resolved: unknown) => {
          histogram().record((performance.now() - started) / 1000, ok);
          return resolved;
        },
        (error: unknown) => {
          histogram().record((performance.now() - started) / 1000, failed);
          throw error;
        },
      );
    };
  };
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || skip.has(property)) return value;
      const known = wrappers.get(property);
      if (known?.method === value) return known.wrapper;
      const wrapper = wrap(object, property, value as (...args: unknown[]) => unknown);
      wrappers.set(property, { method: value, wrapper });
      return wrapper;
    },
  });
}

/**
 * A client-registry client whose calls record `psd2.client_registry.call.duration`, as the calling
 * service sees them. The one wiring for every service that calls the registry.
 */
export function timeClientRegistryCalls<T extends object>(registry: T): T {
  return timeAsyncMethods(registry, () => instruments().registryCallDuration, {
    operationAttribute: 'psd2.client_registry.operation',
    skip: ['close', 'waitForReady'],
  });
}

/** A token store whose operations record `psd2.token_store.operation.duration`. */
export function timeTokenStoreOperations<T extends object>(store: T): T {
  return timeAsyncMethods(store, () => instruments().tokenStoreDuration, {
    operationAttribute: 'psd2.token_store.operation',
    skip: ['close', 'ping'],
  });
}
