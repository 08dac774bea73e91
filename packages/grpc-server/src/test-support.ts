import {
  type Client,
  credentials,
  type Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { service as healthServiceDefinition } from 'grpc-health-check';

/*
 * For this package's tests: a one-method service over JSON (no proto needed), a client for it and for
 * grpc.health.v1, and a bare server on a loopback port.
 */

export const ECHO_SERVICE_NAME = 'psd2.test.v1.EchoService';

export interface EchoRequest {
  readonly text: string;
}

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as EchoRequest,
};

export const echoService = {
  echo: {
    path: `/${ECHO_SERVICE_NAME}/Echo`,
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
} satisfies ServiceDefinition;

export interface EchoClient {
  /** Resolves with the response, or rejects with the ServiceError (code, details, trailers). */
  echo(request: EchoRequest, options?: { deadlineMs?: number }): Promise<EchoRequest>;
  /** The grpc.health.v1 status of `service`, as a load balancer would ask for it. */
  health(service: string): Promise<string>;
  close(): void;
}

type Call<Req, Res> = (
  request: Req,
  options: { deadline?: Date },
  callback: (error: ServiceError | null, response: Res) => void,
) => void;

function invoke<Req, Res>(client: Client, method: string, request: Req, deadlineMs?: number): Promise<Res> {
  const call = Reflect.get(client, method) as Call<Req, Res>;
  return new Promise((resolve, reject) => {
    call.call(
      client,
      request,
      deadlineMs === undefined ? {} : { deadline: new Date(Date.now() + deadlineMs) },
      (error, response) => (error ? reject(error) : resolve(response)),
    );
  });
}

export function echoClient(address: string): EchoClient {
  const Echo = makeGenericClientConstructor(echoService, 'Echo');
  const Health = makeGenericClientConstructor(healthServiceDefinition, 'Health');
  const echo = new Echo(address, credentials.createInsecure());
  const health = new Health(address, credentials.createInsecure());
  return {
    echo: (request, options) => invoke(echo, 'echo', request, options?.deadlineMs),
    health: async (service) =>
      (await invoke<{ service: string }, { status: string }>(health, 'check', { service }, 2000)).status,
    close() {
      echo.close();
      health.close();
    },
  };
}

/** The ServiceError a promise rejected with (fails the test when it resolved). */
export async function failureOf(
  promise: Promise<unknown>,
): Promise<{ code: number; details: string; metadata: Metadata }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught as ServiceError,
  );
  if (error === undefined) throw new Error('the call succeeded');
  return { code: error.code, details: error.details, metadata: error.metadata };
}

/** A bare grpc-js server on a loopback port with what `register` adds, and a client for it. */
export async function serveOnLoopback(
  register: (server: Server) => void,
): Promise<{ client: EchoClient; close(): void }> {
  const server = new Server();
  register(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const client = echoClient(`127.0.0.1:${port}`);
  return {
    client,
    close() {
      client.close();
      server.forceShutdown();
    },
  };
}

/** Resolves once `condition` holds, polling; rejects after `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
