import { Server, ServerCredentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectPaymentConsentApi } from './client.js';
import { type PaymentConsentServiceServer, PaymentConsentServiceService } from './index.js';

/* Two payment-consent replicas behind one name, as a headless Service resolves: calls go to both. */

const servers: Server[] = [];
const callsPerReplica = [0, 0];
let address = '';

function replica(index: number): PaymentConsentServiceServer {
  return {
    getPaymentRequest(_call, callback) {
      callsPerReplica[index] = (callsPerReplica[index] ?? 0) + 1;
      callback(null, { paymentRequest: undefined });
    },
  } as Partial<PaymentConsentServiceServer> as PaymentConsentServiceServer;
}

beforeAll(async () => {
  const ports: number[] = [];
  for (const index of [0, 1]) {
    const server = new Server();
    server.addService(PaymentConsentServiceService, replica(index));
    servers.push(server);
    ports.push(
      await new Promise<number>((resolve, reject) =>
        server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
          error ? reject(error) : resolve(bound),
        ),
      ),
    );
  }
  // grpc-js's static resolver: one target, two addresses, as DNS answers for a headless Service.
  address = `ipv4:${ports.map((port) => `127.0.0.1:${port}`).join(',')}`;
});

afterAll(() => {
  for (const server of servers) server.forceShutdown();
});

describe('the payment-consent client over several replicas', () => {
  it('spreads its calls over every address the target resolves to (round_robin)', async () => {
    const api = connectPaymentConsentApi(address, { deadlineMs: 2000 });
    try {
      for (let call = 0; call < 10; call++) await api.get(`payment-${call}`);
    } finally {
      api.close();
    }
    expect(callsPerReplica[0]).toBeGreaterThanOrEqual(3);
    expect(callsPerReplica[1]).toBeGreaterThanOrEqual(3);
    expect((callsPerReplica[0] ?? 0) + (callsPerReplica[1] ?? 0)).toBe(10);
  });
});
