import {
  Client,
  connectivityState,
  credentials,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from '@jest/globals';
import { capturingLogger } from '@psd2/testing';
import { ServerHealth } from './health.js';
import { listenAddress, type RunningGrpcServer, startGrpcServer } from './server.js';
import * as support from './test-support.js';

const { ECHO_SERVICE_NAME, echoClient, echoService, failureOf } = support;

/* startGrpcServer: a real grpc-js server on a loopback port, called by a real client. */

const running: RunningGrpcServer[] = [];
const clients: support.EchoClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(running.splice(0).map((server) => server.shutdown(100)));
});

/** Echo answers at once, or after `delay` ms when the text is `slow:<delay>`. */
function echo(
  call: ServerUnaryCall<support.EchoRequest, support.EchoRequest>,
  callback: sendUnaryData<support.EchoRequest>,
) {
  const delay = /^slow:(\d+)$/.exec(call.request.text)?.[1];
  if (delay === undefined) callback(null, call.request);
  // Unref'd: a call the test cut must not keep the test process alive.
  else setTimeout(() => callback(null, call.request), Number(delay)).unref();
}

async function start(
  options: {
    host?: string;
    port?: number;
    maxReceiveMessageBytes?: number;
    maxConnectionAgeMs?: number;
  } = {},
) {
  const { logger, lines } = capturingLogger('grpc-server-server-test');
  const health = new ServerHealth({ serviceName: ECHO_SERVICE_NAME, logger });
  const server = await startGrpcServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    credentials: ServerCredentials.createInsecure(),
    maxReceiveMessageBytes: options.maxReceiveMessageBytes ?? 64 * 1024,
    logger,
    health,
    register: (grpc) => grpc.addService(echoService, { echo }),
    ...(options.maxConnectionAgeMs === undefined ? {} : { maxConnectionAgeMs: options.maxConnectionAgeMs }),
  });
  running.push(server);
  const client = echoClient(listenAddress(options.host ?? '127.0.0.1', server.port));
  clients.push(client);
  return { server, client, health, lines };
}

describe('listenAddress', () => {
  it('brackets an IPv6 literal, as gRPC names want it', () => {
    expect(listenAddress('127.0.0.1', 50051)).toBe('127.0.0.1:50051');
    expect(listenAddress('0.0.0.0', 0)).toBe('0.0.0.0:0');
    expect(listenAddress('::', 50051)).toBe('[::]:50051');
    expect(listenAddress('::1', 7)).toBe('[::1]:7');
  });
});

describe('startGrpcServer', () => {
  it("serves the service and grpc.health.v1, SERVING once the dependency's first probe answered", async () => {
    const { server, client } = await start();
    expect(server.port).toBeGreaterThan(0);
    await expect(client.echo({ text: 'hello' })).resolves.toEqual({ text: 'hello' });
    await expect(client.health('')).resolves.toBe('SERVING');
    await expect(client.health(ECHO_SERVICE_NAME)).resolves.toBe('SERVING');
  });

  it('listens on an IPv6 address', async () => {
    const { client } = await start({ host: '::1' });
    await expect(client.echo({ text: 'over IPv6' })).resolves.toEqual({ text: 'over IPv6' });
  });

  it('refuses to share a port with another server (no SO_REUSEPORT)', async () => {
    const { server } = await start();
    await expect(start({ port: server.port })).rejects.toThrow(/No address added|EADDRINUSE|bind/i);
  });

  it('refuses a request larger than the service takes', async () => {
    const { client } = await start({ maxReceiveMessageBytes: 1024 });
    await expect(client.echo({ text: 'x'.repeat(900) })).resolves.toBeDefined();
    expect((await failureOf(client.echo({ text: 'x'.repeat(2000) }))).code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('at shutdown goes NOT_SERVING, lets a call in flight finish within the grace period', async () => {
    const { server, client, health } = await start();
    // Connected first: on a loaded machine the connection itself can take longer than the 50 ms below.
    await client.echo({ text: 'connected' });
    const call = client.echo({ text: 'slow:200' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = server.shutdown(2000);
    expect(health.serving).toBe(false);
    await expect(call).resolves.toEqual({ text: 'slow:200' });
    await stopped;
    // Closed: no new call gets through.
    expect((await failureOf(client.echo({ text: 'late' }, { deadlineMs: 500 }))).code).not.toBe(status.OK);
  });

  it('cuts the calls still running when the grace period is over', async () => {
    const { server, client, lines } = await start();
    await client.echo({ text: 'connected' });
    const call = failureOf(client.echo({ text: 'slow:5000' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await server.shutdown(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await call).code).toBe(status.CANCELLED);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'calls still running after the grace period; cutting them',
        graceMs: 200,
      }),
    );
  });

  it('ends a client connection once it reached its maximum age, so the client resolves again', async () => {
    const stateAfter = async (maxConnectionAgeMs: number | undefined, waitMs: number) => {
      const { server } = await start(maxConnectionAgeMs === undefined ? {} : { maxConnectionAgeMs });
      const client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
      try {
        await new Promise<void>((resolve, reject) =>
          client.waitForReady(Date.now() + 5000, (error) => (error ? reject(error) : resolve())),
        );
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        return client.getChannel().getConnectivityState(false);
      } finally {
        client.close();
      }
    };
    expect(await stateAfter(undefined, 600)).toBe(connectivityState.READY);
    expect(await stateAfter(150, 600)).not.toBe(connectivityState.READY);
  });
});
