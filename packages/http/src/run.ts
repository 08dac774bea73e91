import { loadConfig } from '@psd2/config';
import { createLogger, type Logger } from '@psd2/logging';
import type { Express } from 'express';
import type { z } from 'zod';
import { type RunningServer, startHttpServer } from './server.js';

type ServiceSchema = z.ZodObject<z.ZodRawShape>;
interface ServiceConfig {
  readonly PORT: number;
  readonly HOST: string;
  readonly LOG_LEVEL: string;
}

export interface HttpService {
  readonly app: Express;
  /** Closes what `build` opened (Redis, gRPC channels); runs after in-flight requests finish. */
  readonly onClose?: () => Promise<void>;
}

/**
 * The body of every HTTP service's `main.ts`: parse the configuration once (a bad value stops the
 * process naming the variable), build the app and its dependencies, listen, and shut down
 * gracefully on SIGTERM.
 */
export async function runHttpService<S extends ServiceSchema>(options: {
  readonly name: string;
  readonly configSchema: S;
  readonly build: (config: z.output<S> & ServiceConfig, logger: Logger) => Promise<HttpService>;
}): Promise<RunningServer> {
  const config = loadConfig(options.configSchema, { processName: options.name }) as z.output<S> &
    ServiceConfig;
  const logger = createLogger({ name: options.name, level: config.LOG_LEVEL });
  try {
    const service = await options.build(config, logger);
    return await startHttpServer(service.app, {
      host: config.HOST,
      port: config.PORT,
      logger,
      ...(service.onClose ? { onClose: service.onClose } : {}),
    });
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    logger.flush();
    process.stderr.write(
      `${options.name}: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}
