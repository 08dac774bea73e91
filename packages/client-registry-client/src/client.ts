import { type CallOptions, type ClientUnaryCall, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { metadataToMessage } from '@psd2/client-metadata';
import { ClientRegistryServiceClient } from '@psd2/client-registry-proto';
import { ROUND_ROBIN_CHANNEL_OPTIONS } from '@psd2/grpc-client';
import { MAX_CACHE_TTL_MS, TtlCache } from './cache.js';
import { type ClientRegistryTransport, transportOf } from './channel.js';
import { clientFromMessage, roleToMessage } from './convert.js';
import {
  InvalidClientRequestError,
  RegistryUnavailableError,
  toClientError,
  unknownIfMalformed,
} from './errors.js';
import type {
  ClientPage,
  DeleteClientInput,
  IssuedClient,
  ListClientsInput,
  NewClientInput,
  RegisteredClient,
  ReplaceClientInput,
  ReplacedClient,
} from './types.js';

export interface ClientRegistryOptions {
  /** `host:port` of the registry, e.g. `127.0.0.1:50051` or `client-registry:50051`. */
  readonly address: string;
  /** TLS, or plaintext only when explicitly asked for (a private network). */
  readonly transport: ClientRegistryTransport;
  /** Time allowed for one operation, retries included. Default 2000 ms. */
  readonly deadlineMs?: number;
  /** How long a read client may be reused, 0 (default, off) to MAX_CACHE_TTL_MS (5 s). */
  readonly cacheTtlMs?: number;
  /** Bound on cached clients, so memory stays flat. Default 10 000. */
  readonly cacheMaxEntries?: number;
  /** The cache's clock in milliseconds (`Date.now` by default); tests pass one they move by hand. */
  readonly now?: () => number;
  readonly retry?: {
    /** Attempts in all, for reads that fail with UNAVAILABLE. Default 3. */
    readonly maxAttempts?: number;
    /** First backoff; it doubles each attempt, with jitter. Default 50 ms. */
    readonly initialBackoffMs?: number;
    readonly maxBackoffMs?: number;
  };
}

/**
 * The registry as the HTTP services see it. Errors are ClientRegistryError subclasses (see errors.ts).
 *
 * Only reads (get, list, check) are retried on UNAVAILABLE: a write whose answer was lost may have
 * committed, and repeating a create or a rotation is not harmless. A write that failed with
 * RegistryUnavailableError should become a 503 for the TPP, who may retry it.
 */
export interface ClientRegistry {
  createClient(input: NewClientInput): Promise<IssuedClient>;
  /** Served from the read cache when enabled and fresh, unless `fresh` is asked for. */
  getClient(clientId: string, options?: { readonly fresh?: boolean }): Promise<RegisteredClient>;
  replaceClient(input: ReplaceClientInput): Promise<ReplacedClient>;
  deleteClient(input: DeleteClientInput): Promise<void>;
  listClients(input: ListClientsInput): Promise<ClientPage>;
  /** The client when the token is its current registration access token, undefined otherwise. */
  checkRegistrationAccessToken(clientId: string, token: string): Promise<RegisteredClient | undefined>;
  rotateRegistrationAccessToken(input: {
    readonly clientId: string;
    readonly actor: DeleteClientInput['actor'];
  }): Promise<IssuedClient>;
  /** Resolves once a connection to the registry is up (e.g. before a service reports ready). */
  waitForReady(timeoutMs: number): Promise<void>;
  close(): void;
}

type Callback<Res> = (error: ServiceError | null, response: Res) => void;
type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: Callback<Res>,
) => ClientUnaryCall;

export function createClientRegistry(options: ClientRegistryOptions): ClientRegistry {
  const deadlineMs = options.deadlineMs ?? 2000;
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 3);
  const initialBackoffMs = options.retry?.initialBackoffMs ?? 50;
  const maxBackoffMs = options.retry?.maxBackoffMs ?? 1000;
  const cache = new TtlCache<RegisteredClient>({
    ttlMs: options.cacheTtlMs ?? 0,
    maxEntries: options.cacheMaxEntries ?? 10_000,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  // Concurrent misses for one client share one call instead of stampeding the registry.
  const inFlight = new Map<string, Promise<RegisteredClient>>();

  const { channelCredentials, channelOptions } = transportOf(options.transport);
  const grpcClient = new ClientRegistryServiceClient(options.address, channelCredentials, {
    // The registry's Service is headless: calls spread over every ready pod (deploy/README.md).
    ...ROUND_ROBIN_CHANNEL_OPTIONS,
    ...channelOptions,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
  });

  function once<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, deadline: Date): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      method.call(grpcClient, request, new Metadata(), { deadline }, (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
  }

  async function invoke<Req, Res>(
    method: UnaryMethod<Req, Res>,
    request: Req,
    retryable: boolean,
  ): Promise<Res> {
    const deadlineAt = Date.now() + deadlineMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(method, request, new Date(deadlineAt));
      } catch (caught) {
        const error = toClientError(caught);
        if (!retryable || error.kind !== 'unavailable' || attempt >= maxAttempts) throw error;
        // Full jitter around an exponential backoff, so callers that failed together do not retry together.
        const ceiling = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (attempt - 1));
        const backoff = ceiling / 2 + Math.random() * (ceiling / 2);
        if (Date.now() + backoff >= deadlineAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  }

  async function fetchClient(clientId: string): Promise<RegisteredClient> {
    const response = await invoke(grpcClient.getClient, { clientId }, true).catch(unknownIfMalformed);
    const client = clientFromMessage(response.client);
    cache.set(clientId, client);
    return client;
  }

  return {
    async createClient(input) {
      const response = await invoke(
        grpcClient.createClient,
        {
          organizationId: input.organizationId,
          organizationName: input.organizationName,
          ncaId: input.ncaId,
          roles: input.roles.map(roleToMessage),
          registeredSubjectDn: input.registeredSubjectDn,
          registeredCertificateThumbprint: input.registeredCertificateThumbprint,
          metadata: metadataToMessage(input.metadata),
        },
        false,
      );
      return {
        client: clientFromMessage(response.client),
        registrationAccessToken: response.registrationAccessToken,
      };
    },

    async getClient(clientId, getOptions) {
      if (getOptions?.fresh !== true) {
        const cached = cache.get(clientId);
        if (cached !== undefined) return cached;
      }
      if (!cache.enabled) return fetchClient(clientId);
      const pending = inFlight.get(clientId);
      if (pending !== undefined) return pending;
      const call = fetchClient(clientId).finally(() => inFlight.delete(clientId));
      inFlight.set(clientId, call);
      return call;
    },

    async replaceClient(input) {
      cache.delete(input.clientId);
      const response = await invoke(
        grpcClient.replaceClient,
        {
          clientId: input.clientId,
          expectedVersion: input.expectedVersion,
          metadata: metadataToMessage(input.metadata),
          actor: { ...input.actor },
          rotateRegistrationAccessToken: input.rotateRegistrationAccessToken ?? false,
          registeredSubjectDn: input.registeredCertificate?.subjectDn,
          registeredCertificateThumbprint: input.registeredCertificate?.thumbprint,
        },
        false,
      );
      cache.delete(input.clientId);
      const client = clientFromMessage(response.client);
      return response.registrationAccessToken === undefined
        ? { client }
        : { client, registrationAccessToken: response.registrationAccessToken };
    },

    async deleteClient(input) {
      cache.delete(input.clientId);
      try {
        await invoke(
          grpcClient.deleteClient,
          { clientId: input.clientId, actor: { ...input.actor }, expectedVersion: input.expectedVersion },
          false,
        );
      } finally {
        cache.delete(input.clientId);
      }
    },

    async listClients(input) {
      const response = await invoke(
        grpcClient.listClients,
        {
          organizationId: input.organizationId,
          pageSize: input.pageSize ?? 0,
          pageToken: input.pageToken ?? '',
        },
        true,
      );
      const clients = response.clients.map(clientFromMessage);
      return response.nextPageToken === '' ? { clients } : { clients, nextPageToken: response.nextPageToken };
    },

    async checkRegistrationAccessToken(clientId, token) {
      const response = await invoke(
        grpcClient.checkRegistrationAccessToken,
        { clientId, registrationAccessToken: token },
        true,
      ).catch((error: unknown) => {
        // A client id or token the registry refuses as malformed cannot be valid (RFC 7592 §2.1: 401).
        if (error instanceof InvalidClientRequestError) return undefined;
        throw error;
      });
      if (response === undefined) return undefined;
      return response.valid ? clientFromMessage(response.client) : undefined;
    },

    async rotateRegistrationAccessToken(input) {
      cache.delete(input.clientId);
      const response = await invoke(
        grpcClient.rotateRegistrationAccessToken,
        { clientId: input.clientId, actor: { ...input.actor } },
        false,
      );
      cache.delete(input.clientId);
      return {
        client: clientFromMessage(response.client),
        registrationAccessToken: response.registrationAccessToken,
      };
    },

    waitForReady(timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        grpcClient.waitForReady(Date.now() + timeoutMs, (error) =>
          error
            ? reject(
                new RegistryUnavailableError('unavailable', status.UNAVAILABLE, error.message, {
                  cause: error,
                }),
              )
            : resolve(),
        );
      });
    },

    close() {
      grpcClient.close();
    },
  };
}

export type { ClientRegistryTransport, TlsOptions } from './channel.js';
export { MAX_CACHE_TTL_MS };
