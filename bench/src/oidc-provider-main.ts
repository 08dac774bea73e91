import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { certificateFromXfcc } from '@psd2/certificates';
import { Redis } from 'ioredis';
import Provider from 'oidc-provider';

/*
 * node-oidc-provider (v8, the line that runs on Node 20), configured as close to our token service as
 * it allows, for the benchmark's comparison: tls_client_auth clients, certificate-bound opaque
 * client_credentials tokens, introspection, tokens in Redis, behind the same local edge (it reads the
 * client certificate from the edge's x-forwarded-client-cert header, as our services do), and like them
 * over TLS that requires the edge's client certificate (TLS_CERT_FILE, TLS_KEY_FILE, EDGE_PEER_CA_FILE),
 * so that both pay for the same hop.
 */

const required = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const redis = new Redis(required('REDIS_URL'), { enableAutoPipelining: true });
const prefix = required('REDIS_KEY_PREFIX');

type Payload = Record<string, unknown>;

/** The adapter interface oidc-provider persists its models through; only what these grants use. */
class RedisAdapter {
  readonly #name: string;
  constructor(name: string) {
    this.#name = name;
  }
  #key(id: string): string {
    return `${prefix}${this.#name}:${id}`;
  }
  async upsert(id: string, payload: Payload, expiresIn: number): Promise<void> {
    await redis.set(this.#key(id), JSON.stringify(payload), 'EX', Math.max(1, expiresIn));
  }
  async find(id: string): Promise<Payload | undefined> {
    const value = await redis.get(this.#key(id));
    return value === null ? undefined : (JSON.parse(value) as Payload);
  }
  async findByUid(): Promise<undefined> {
    return undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async consume(id: string): Promise<void> {
    const found = await this.find(id);
    if (found)
      await redis.set(
        this.#key(id),
        JSON.stringify({ ...found, consumed: Math.floor(Date.now() / 1000) }),
        'KEEPTTL',
      );
  }
  async destroy(id: string): Promise<void> {
    await redis.del(this.#key(id));
  }
  async revokeByGrantId(): Promise<void> {}
}

function certificateOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers['x-forwarded-client-cert'];
  return certificateFromXfcc(Array.isArray(header) ? header.join(',') : header);
}

const provider = new Provider(required('ISSUER'), {
  adapter: RedisAdapter,
  clients: [
    {
      client_id: required('PISP_CLIENT_ID'),
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: required('PISP_SUBJECT'),
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'pisp',
    },
    {
      client_id: required('BANK_CLIENT_ID'),
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: required('BANK_SUBJECT'),
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ],
  scopes: ['pisp'],
  clientAuthMethods: ['tls_client_auth'],
  ttl: { ClientCredentials: 3600 },
  routes: { token: '/oauth2/token', introspection: '/oauth2/introspect' },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    mTLS: {
      enabled: true,
      certificateBoundAccessTokens: true,
      tlsClientAuth: true,
      getCertificate: (ctx: { headers: Record<string, string | string[] | undefined> }) =>
        certificateOf(ctx.headers),
      // The edge validated the chain against the CA bundle, as it does for our services.
      certificateAuthorized: () => true,
      certificateSubjectMatches: (
        ctx: { headers: Record<string, string | string[] | undefined> },
        property: string,
        expected: string,
      ) => {
        const pem = certificateOf(ctx.headers);
        return (
          property === 'tls_client_auth_subject_dn' &&
          pem !== undefined &&
          new X509Certificate(pem).subject === expected
        );
      },
    },
  },
});
provider.proxy = true;
const server = https.createServer(
  {
    cert: readFileSync(required('TLS_CERT_FILE')),
    key: readFileSync(required('TLS_KEY_FILE')),
    ca: readFileSync(required('EDGE_PEER_CA_FILE')),
    requestCert: true,
    rejectUnauthorized: true,
  },
  provider.callback(),
);
server.listen(Number(required('PORT')), '127.0.0.1');
server.on('listening', () => process.stdout.write('oidc-provider listening\n'));
process.once('SIGTERM', () => {
  server.close();
  redis.disconnect();
  process.exit(0);
});
