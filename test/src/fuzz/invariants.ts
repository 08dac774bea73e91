import { type AccessTokenRecord, decodeAccessToken } from '@psd2/token-store';
import { Redis } from 'ioredis';
import pg from 'pg';

/*
 * What must hold in storage after any sequence of requests, checked straight in PostgreSQL and Redis
 * once a run is over: no client without its audit trail or half-written, no grant, code or token that
 * points at nothing, no live token of a deleted client, and no key that never expires.
 * Layouts: services/client-registry/src/db/schema.ts and packages/token-store/src/redis-store.ts.
 */

export interface InvariantReport {
  readonly checked: { clients: number; auditRows: number; redisKeys: number };
  readonly violations: string[];
}

interface ClientRow {
  client_id: string;
  status: string;
  version: number;
  has_token_hash: boolean;
  audit: { action: string; version_after: number }[];
}

async function postgresViolations(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<ClientRow>(`
      select c.client_id, c.status, c.version,
             c.registration_access_token_sha256 is not null as has_token_hash,
             coalesce(json_agg(json_build_object('action', a.action, 'version_after', a.version_after)
                        order by a.id) filter (where a.id is not null), '[]') as audit
        from clients c left join client_audit a on a.client_id = c.client_id
       group by c.client_id`);
    const orphans = await client.query<{ client_id: string }>(
      'select distinct client_id from client_audit a where not exists (select 1 from clients c where c.client_id = a.client_id)',
    );
    const auditRows = await client.query<{ n: string }>('select count(*) as n from client_audit');
    const violations: string[] = [];
    for (const row of rows) {
      const id = row.client_id;
      const first = row.audit[0];
      if (first?.action !== 'create' || first.version_after !== 1)
        violations.push(`client ${id}: no create audit row first`);
      const versions = row.audit.map((entry) => entry.version_after);
      const expected = Array.from({ length: row.version }, (_, i) => i + 1);
      if (versions.join(',') !== expected.join(','))
        violations.push(`client ${id}: version ${row.version} but audit versions [${versions.join(',')}]`);
      if ((row.status === 'active') !== row.has_token_hash)
        violations.push(
          `client ${id}: status ${row.status} with${row.has_token_hash ? '' : 'out'} a token hash`,
        );
      if (row.status === 'deleted' && row.audit.at(-1)?.action !== 'delete')
        violations.push(`client ${id}: deleted, but its last audit row is not the delete`);
    }
    for (const { client_id } of orphans.rows)
      violations.push(`audit rows for client ${client_id}, which does not exist`);
    const statuses = new Map(rows.map((row) => [row.client_id, row.status]));
    return { statuses, violations, clients: rows.length, auditRows: Number(auditRows.rows[0]?.n ?? 0) };
  } finally {
    await client.end();
  }
}

const parse = (value: string | null): Record<string, unknown> | undefined => {
  if (value === null) return undefined;
  try {
    return JSON.parse(value) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

const isPisp = (scope: unknown) => typeof scope === 'string' && scope.split(' ').includes('pisp');

/** A pisp consent (GrantRecord of @psd2/token-store): one payment detail and the payment request it approved. */
const carriesPayment = (grant: Record<string, unknown>) =>
  Array.isArray(grant.authorizationDetails) &&
  grant.authorizationDetails.length === 1 &&
  typeof grant.paymentRequestId === 'string' &&
  grant.paymentRequestId !== '';

export async function checkInvariants(options: {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
}): Promise<InvariantReport> {
  const pgResult = await postgresViolations(options.databaseUrl);
  const violations = [...pgResult.violations];
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = options.redisKeyPrefix;
  let redisKeys = 0;
  try {
    const keys: string[] = [];
    for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 1000 }))
      keys.push(...(batch as string[]));
    redisKeys = keys.length;
    const grants = new Map<string, Record<string, unknown>>();
    const revokedClients = new Set<string>();
    for (const key of keys) {
      const kind = key.slice(prefix.length).split(':')[0];
      if (kind === 'g') {
        const grant = parse(await redis.get(key));
        if (grant) grants.set(key.slice(prefix.length + 2), grant);
      }
      if (kind === 'x') revokedClients.add(key.slice(prefix.length + 2));
    }
    const clientOf = (where: string, clientId: unknown) => {
      if (typeof clientId !== 'string' || !pgResult.statuses.has(clientId))
        violations.push(`${where}: client ${String(clientId)} is not in the registry`);
    };
    for (const key of keys) {
      const name = key.slice(prefix.length);
      const kind = name.split(':')[0];
      if ((await redis.ttl(key)) === -1) violations.push(`${name}: never expires`);
      if (kind === 'g') {
        const grant = grants.get(name.slice(2));
        clientOf(name, grant?.clientId);
        if (grant !== undefined && isPisp(grant.scope) && !carriesPayment(grant))
          violations.push(`${name}: pisp grant without its payment details and payment request`);
      }
      if (kind === 'x' && pgResult.statuses.get(name.slice(2)) === 'active')
        violations.push(`${name}: revocation marker of a client the registry says is active`);
      if (kind === 'c') {
        const value = await redis.get(key);
        const record = parse(value?.slice(1) ?? null);
        if (record === undefined) {
          if (value !== null) violations.push(`${name}: unreadable code record`);
          continue;
        }
        clientOf(name, record.clientId);
        const grant = grants.get(String(record.grantId));
        if (value?.startsWith('A') && grant === undefined)
          violations.push(`${name}: unused code whose grant is missing`);
        if (grant !== undefined && grant.clientId !== record.clientId)
          violations.push(`${name}: code of another client's grant`);
      }
      if (kind === 'a' || kind === 'r') {
        let record: Pick<AccessTokenRecord, 'clientId' | 'grantId' | 'scope'> | undefined;
        if (kind === 'a') {
          const buffer = await redis.getBuffer(key);
          try {
            record = buffer === null ? undefined : decodeAccessToken(buffer);
          } catch {
            violations.push(`${name}: unreadable access token record`);
          }
        } else {
          const value = await redis.get(key);
          record = parse(value?.slice(1) ?? null) as typeof record;
          if (record === undefined && value !== null)
            violations.push(`${name}: unreadable refresh token record`);
        }
        if (record === undefined) continue;
        clientOf(name, record.clientId);
        const grant = record.grantId === undefined ? undefined : grants.get(record.grantId);
        if (grant !== undefined && grant.clientId !== record.clientId)
          violations.push(`${name}: token of another client's grant`);
        // Never a refresh token for pisp; a live pisp token from a consent is for exactly one payment.
        if (kind === 'r' && isPisp(record.scope)) violations.push(`${name}: refresh token with scope pisp`);
        if (kind === 'a' && isPisp(record.scope) && grant !== undefined && !carriesPayment(grant))
          violations.push(`${name}: active pisp token whose grant has no payment details or request`);
        const lineageLive =
          (record.grantId === undefined || grant !== undefined) && !revokedClients.has(record.clientId);
        if (lineageLive && pgResult.statuses.get(record.clientId) === 'deleted')
          violations.push(`${name}: still active although client ${record.clientId} was deleted`);
      }
    }
  } finally {
    redis.disconnect();
  }
  return {
    checked: { clients: pgResult.clients, auditRows: pgResult.auditRows, redisKeys },
    violations,
  };
}
