import { loadConfig } from '@psd2/config';
import { createLogger, type Logger } from '@psd2/logging';
import type { Express } from 'express';
import type { z } from 'zod';
import { startHealthListener } from './health-listener.js';
import { edgeListenerSettings } from './listener-settings.js';
import { type RunningServer, startHttpServer } from './server.js';
import { loadEdgeTls } from './service-tls.js';

type ServiceSchema = z.ZodObject<z.ZodRawShape>;
interface ServiceConfig {
  readonly PORT: number;
  readonly HEALTH_PORT: number;
  readonly HOST: string;
  readonly LOG_LEVEL: string;
  readonly TLS_CERT_FILE: string;
  readonly TLS_KEY_FILE: string;
  readonly EDGE_PEER_CA_FILE: string;
  readonly EDGE_PEER_NAMES: readonly string[];
}

export interface HttpService {
  readonly app: Express;
  /** Closes what `build` opened (Redis, gRPC channels); runs after in-flight requests finish. */
  readonly onClose?: () => Promise<void>;
}

/**
 * The body of every HTTP service's `main.ts`: parse the configuration once (a bad value stops the
 * process naming the variable), build the app and its dependencies, listen (HTTPS for the edge alone on
 * PORT, the probes on HEALTH_PORT), and shut down gracefully on SIGTERM.
 */
export async function runHttpService<S extends ServiceSchema>(options: {
  readonly name: string;
  readonly configSchema: S;
  readonly build: (config: z.output<S> & ServiceConfig, logger: Logger) => Promise<HttpService>;
}): Promise<RunningServer> {
  // safeExtend: the services' schemas carry cross-field rules (superRefine), which extend() refuses.
  const schema = options.configSchema.safeExtend(edgeListenerSettings);
  const config = loadConfig(schema, { processName: options.name }) as z.output<S> & ServiceConfig;
  const logger = createLogger({ name: options.name, level: config.LOG_LEVEL });
  try {
    const edgeTls = await loadEdgeTls({
      certFile: config.TLS_CERT_FILE,
      keyFile: config.TLS_KEY_FILE,
      edgePeerCaFile: config.EDGE_PEER_CA_FILE,
      edgePeerNames: config.EDGE_PEER_NAMES,
    });
    const service = await options.build(config, logger);
    const health = await startHealthListener(service.app, config.HOST, config.HEALTH_PORT);
    const running = await startHttpServer(service.app, {
      host: config.HOST,
      port: config.PORT,
      logger,
      edgeTls,
      // The probes keep answering (readiness: 503) while requests drain, then go too.
      onClose: async () => {
        await health.close();
        await service.onClose?.();
      },
    });
    logger.info({ url: health.url }, 'probes listening');
    return running;
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    logger.flush();
    process.stderr.write(
      `${options.name}: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}
