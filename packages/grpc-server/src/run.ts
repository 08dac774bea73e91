import type { Logger } from '@psd2/logging';
import { armHardExit, shutdownTelemetry } from '@psd2/telemetry';
import type { RunningGrpcServer } from './server.js';

export interface GrpcProcessOptions<S extends RunningGrpcServer> {
  /** The process name, as `loadConfig` uses it: the prefix of the one line on stderr. */
  readonly processName: string;
  readonly logger: Logger;
  /**
   * How long calls in flight may take to finish after SIGTERM (SHUTDOWN_GRACE_MS, 7 s by default so
   * that drain, telemetry's flush and the exit fit in 10 s).
   */
  readonly graceMs: number;
  /** Starts the server (usually the service's own start function around startGrpcServer). */
  start(): Promise<S>;
  /** Closes what main.ts opened (database, Redis, gRPC channels): after the calls drained, or when start failed. */
  close(): Promise<void>;
}

/**
 * The tail of every gRPC service's main.ts: start the server (a failure, e.g. the port taken, is one
 * clear line on stderr and exit 1, not a stack trace), then on SIGTERM or SIGINT drain the calls, close
 * the dependencies, flush telemetry and logs, and exit 0.
 */
export async function runGrpcServer<S extends RunningGrpcServer>(options: GrpcProcessOptions<S>): Promise<S> {
  const { logger } = options;
  let server: S;
  try {
    server = await options.start();
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    logger.flush();
    process.stderr.write(
      `${options.processName}: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    await options.close().catch(() => undefined);
    process.exit(1);
  }

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    // Whatever hangs (a dependency's close, an exporter), the process still ends within its budget.
    armHardExit(options.graceMs, () => logger.error('shutdown over its budget: exiting now'));
    logger.info({ signal }, 'shutting down: draining calls in flight');
    try {
      await server.shutdown(options.graceMs);
      await options
        .close()
        .catch((error: unknown) => logger.error({ err: error }, 'closing dependencies failed'));
      await shutdownTelemetry();
    } finally {
      logger.flush();
      process.exit(0);
    }
  };
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));
  return server;
}
