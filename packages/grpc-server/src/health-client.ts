import { type Client, credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { service as healthServiceDefinition } from 'grpc-health-check';

/** What a grpc.health.v1 Check answered, or that nothing answered (not listening yet, no answer in time). */
export type HealthCheckResult = 'SERVING' | 'NOT_SERVING' | 'UNKNOWN' | 'SERVICE_UNKNOWN' | 'UNREACHABLE';

type CheckCall = (
  request: { service: string },
  options: { deadline: Date },
  callback: (error: ServiceError | null, response: { status: string }) => void,
) => void;

/**
 * Asks a plaintext gRPC server for its grpc.health.v1 status once, as a load balancer's probe would
 * (`pnpm start` waits on it); '' is the whole server.
 */
export async function checkGrpcHealth(
  address: string,
  options: { readonly service?: string; readonly timeoutMs?: number } = {},
): Promise<HealthCheckResult> {
  const Health = makeGenericClientConstructor(healthServiceDefinition, 'Health');
  const client: Client = new Health(address, credentials.createInsecure());
  const check = Reflect.get(client, 'check') as CheckCall;
  try {
    return await new Promise<HealthCheckResult>((resolve) => {
      check.call(
        client,
        { service: options.service ?? '' },
        { deadline: new Date(Date.now() + (options.timeoutMs ?? 1000)) },
        (error, response) => {
          if (error) resolve('UNREACHABLE');
          else resolve(isHealthCheckResult(response.status) ? response.status : 'UNKNOWN');
        },
      );
    });
  } finally {
    client.close();
  }
}

function isHealthCheckResult(status: string): status is HealthCheckResult {
  return ['SERVING', 'NOT_SERVING', 'UNKNOWN', 'SERVICE_UNKNOWN'].includes(status);
}
