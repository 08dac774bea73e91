import { type ChannelOptions, type Client, Metadata, type ServiceError } from '@grpc/grpc-js';

/*
 * Each unary RPC of a ts-proto generated client as a promise with a deadline: grpc-js sets none by
 * default, and a call without one can wait for ever on a lost peer. Shared by the payment-consent and
 * operator API clients, so both fail the same way when the server does not answer in time.
 */

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response: Res) => void,
) => void;

/** `unaryCaller(client, 5000)('getThing')` is `(request) => Promise<response>`, each call with its own deadline. */
export function unaryCaller<C extends Client>(client: C, deadlineMs: number) {
  return <Req, Res>(method: keyof C & string) =>
    (request: Req): Promise<Res> =>
      new Promise<Res>((resolve, reject) => {
        const invoke = (client[method] as unknown as UnaryMethod<Req, Res>).bind(client);
        invoke(request, new Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) =>
          error ? reject(error) : resolve(response),
        );
      });
}

/**
 * Calls spread over every address the target resolves to (`dns:///payment-consent:50052` behind a
 * headless Service resolves to every ready pod), instead of gRPC's default pick_first, which sends
 * all of a channel's calls to one pod. The servers end connections after a maximum age, so the
 * client resolves again and finds pods added since (deploy/README.md, "gRPC load balancing").
 */
export const ROUND_ROBIN_CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
};
