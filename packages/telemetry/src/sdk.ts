import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Context, type ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { instrumentations } from './instrumentations.js';
import { meter } from './metrics.js';
import { startProcessRuntimeMetrics } from './runtime-metrics.js';
import { settleWithin, TELEMETRY_FLUSH_BUDGET_MS } from './shutdown.js';

/*
 * The SDK lives in a process-wide slot so that the service's graceful shutdown (which imports this
 * package normally) can flush what the preload (`--import @psd2/telemetry/register`) started.
 */
const SDK_SLOT = Symbol.for('psd2.telemetry.sdk');
type Slot = { [SDK_SLOT]?: NodeSDK };

const OTLP_ENDPOINT_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
] as const;

/** Exports go out only when a collector is named; otherwise the SDK stays quiet (no retries to localhost:4318). */
export function isExportConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return OTLP_ENDPOINT_VARIABLES.some((name) => (env[name] ?? '') !== '');
}

/** `OTEL_SERVICE_NAME`, else the name of the package whose entry point is running. */
export function serviceName(env: NodeJS.ProcessEnv = process.env, entry = process.argv[1]): string {
  const configured = env.OTEL_SERVICE_NAME;
  if (configured) return configured;
  return packageServiceName(entry);
}

/** The running package's name without scope or `-service` suffix, e.g. `token`, `local-edge`. */
export function packageServiceName(entry = process.argv[1]): string {
  let dir = entry ? dirname(entry) : process.cwd();
  for (let depth = 0; depth < 5; depth += 1) {
    try {
      const name: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
      if (typeof name === 'string') return name.replace(/^@psd2\//, '').replace(/-service$/, '');
    } catch {
      // No package.json at this level: look one higher.
    }
    dir = dirname(dir);
  }
  return 'psd2';
}

const SELF_INSTRUMENTED = new Set(['local-edge']);

/**
 * Carries a context through synchronous calls only. Enough for a process whose code passes contexts
 * explicitly; unlike AsyncLocalStorage it installs no async hooks.
 */
class SynchronousContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;
  active(): Context {
    return this.current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.current;
    this.current = context;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}

export function startTelemetry(env: NodeJS.ProcessEnv = process.env): NodeSDK | undefined {
  const slot = globalThis as Slot;
  if (slot[SDK_SLOT]) return slot[SDK_SLOT];
  if (!isExportConfigured(env)) {
    // The SDK reads these itself; defaulting them to "none" keeps it from exporting to a default endpoint.
    env.OTEL_TRACES_EXPORTER ??= 'none';
    env.OTEL_METRICS_EXPORTER ??= 'none';
  }
  // Logs go to stdout as JSON lines (pino), carrying trace ids; they are not also sent over OTLP.
  env.OTEL_LOGS_EXPORTER ??= 'none';
  // One export, its retries included, gives up within the shutdown's flush budget (the SDK's defaults,
  // 10 s per export and 30 s per batch, would keep a process alive long after SIGTERM when the
  // collector is gone or hung). A collector that needs longer is set explicitly.
  const budget = String(TELEMETRY_FLUSH_BUDGET_MS);
  env.OTEL_EXPORTER_OTLP_TIMEOUT ??= budget;
  env.OTEL_BSP_EXPORT_TIMEOUT ??= budget;
  env.OTEL_METRIC_EXPORT_TIMEOUT ??= budget;
  // The local edge makes its own two spans per request with explicit contexts (services/local-edge):
  // a proxy needs no instrumentation and no asynchronous context propagation.
  const selfInstrumented = SELF_INSTRUMENTED.has(packageServiceName());
  const sdk = new NodeSDK({
    serviceName: serviceName(env),
    instrumentations: selfInstrumented ? [] : instrumentations(env),
    ...(selfInstrumented ? { contextManager: new SynchronousContextManager() } : {}),
  });
  sdk.start();
  startProcessRuntimeMetrics(meter(), env);
  slot[SDK_SLOT] = sdk;
  return sdk;
}

/**
 * Flushes and stops telemetry; part of every service's graceful shutdown. Never throws, and returns
 * within `budgetMs` even when the collector never answers: what is not exported by then is dropped.
 */
export async function shutdownTelemetry(budgetMs: number = TELEMETRY_FLUSH_BUDGET_MS): Promise<void> {
  const slot = globalThis as Slot;
  const sdk = slot[SDK_SLOT];
  if (!sdk) return;
  delete slot[SDK_SLOT];
  await settleWithin(sdk.shutdown(), budgetMs);
}
