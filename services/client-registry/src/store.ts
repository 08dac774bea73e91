import type { ClientMetadata } from '@psd2/client-metadata';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { type Changes, creationChanges, diff, HIDDEN } from './audit-changes.js';
import { findActive, notFound, toRecord, versionConflict, withSuspension } from './client-rows.js';
import type { RegistryDatabase, Tx } from './db/database.js';
import { type AuditAction, type ClientRow, clientAudit, clients } from './db/schema.js';
import { RegistryError } from './errors.js';
import type { Actor, ClientRecord, NewClient } from './model.js';
import { lockOrganisation, refuseWhileSuspended, suspensionOf } from './organisation-suspension.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { hashToken, newClientId, newRegistrationAccessToken, tokenMatches } from './tokens.js';

/*
 * Every read and write of clients. Each operation runs in one transaction whose statement_timeout is
 * the time left before the caller's deadline, so the database gives up when the caller has, and a
 * change and its audit row are committed together or not at all.
 */

export interface OperationOptions {
  /** Milliseconds the operation may take; the caller's deadline, already shortened by the server. */
  readonly timeoutMs: number;
}

export interface IssuedToken {
  readonly client: ClientRecord;
  readonly registrationAccessToken: string;
}

export interface ReplaceInput {
  readonly clientId: string;
  readonly expectedVersion: number;
  readonly metadata: ClientMetadata;
  readonly actor: Actor;
  readonly rotateRegistrationAccessToken: boolean;
  /** The renewed certificate the client is now bound to; absent keeps the stored one. */
  readonly certificate?: { readonly subjectDn: string; readonly thumbprint: string } | undefined;
}

export interface ClientPage {
  readonly clients: ClientRecord[];
  /** Empty when there is no further page. */
  readonly nextPageToken: string;
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export class ClientStore {
  readonly #database: Pick<RegistryDatabase, 'transaction'>;
  readonly #now: () => Date;

  constructor(database: Pick<RegistryDatabase, 'transaction'>, options: { now?: () => Date } = {}) {
    this.#database = database;
    this.#now = options.now ?? (() => new Date());
  }

  async create(input: NewClient, options: OperationOptions): Promise<IssuedToken> {
    const token = newRegistrationAccessToken();
    const now = this.#now();
    const { row, suspension } = await this.#transaction(options, async (tx) => {
      await lockOrganisation(tx, input.organizationId);
      const suspension = await suspensionOf(tx, input.organizationId);
      refuseWhileSuspended(suspension, input.metadata.scope);
      const [inserted] = await tx
        .insert(clients)
        .values({
          clientId: newClientId(),
          organizationId: input.organizationId,
          organizationName: input.organizationName,
          ncaId: input.ncaId,
          roles: input.roles,
          registeredSubjectDn: input.registeredSubjectDn,
          registeredCertificateThumbprint: input.registeredCertificateThumbprint,
          metadata: input.metadata,
          status: 'active',
          registrationAccessTokenSha256: hashToken(token),
          createdAt: now,
          updatedAt: now,
          version: 1,
        })
        .returning();
      if (inserted === undefined) throw new Error('insert returned no row');
      const changes = creationChanges(inserted);
      changes.registrationAccessToken = { from: null, to: HIDDEN };
      await this.#audit(
        tx,
        inserted,
        'create',
        {
          organizationId: input.organizationId,
          certificateThumbprint: input.registeredCertificateThumbprint,
        },
        changes,
      );
      return { row: inserted, suspension };
    });
    return { client: toRecord(row, suspension), registrationAccessToken: token };
  }

  async get(clientId: string, options: OperationOptions): Promise<ClientRecord> {
    const found = await this.#transaction(options, (tx) => withSuspension(tx, findActive(tx, clientId)));
    if (found === undefined) throw notFound();
    return toRecord(found.row, found.suspension);
  }

  /** RFC 7592 PUT: the metadata given replaces the stored metadata whole. */
  async replace(
    input: ReplaceInput,
    options: OperationOptions,
  ): Promise<IssuedToken | { client: ClientRecord }> {
    const token = input.rotateRegistrationAccessToken ? newRegistrationAccessToken() : undefined;
    const { row, suspension } = await this.#transaction(options, async (tx) => {
      const before = await this.#lockable(tx, input.clientId, input.actor, input.expectedVersion);
      await lockOrganisation(tx, before.organizationId);
      const suspension = await suspensionOf(tx, before.organizationId);
      refuseWhileSuspended(suspension, input.metadata.scope);
      const after = await this.#updateFrom(tx, before, {
        metadata: input.metadata,
        ...(input.certificate === undefined
          ? {}
          : {
              registeredSubjectDn: input.certificate.subjectDn,
              registeredCertificateThumbprint: input.certificate.thumbprint,
            }),
        ...(token === undefined ? {} : { registrationAccessTokenSha256: hashToken(token) }),
      });
      const changes = diff(before, after);
      if (token !== undefined) changes.registrationAccessToken = { from: HIDDEN, to: HIDDEN };
      await this.#audit(tx, after, 'replace', input.actor, changes);
      return { row: after, suspension };
    });
    const client = toRecord(row, suspension);
    return token === undefined ? { client } : { client, registrationAccessToken: token };
  }

  /**
   * Marks the client deleted and forgets its token hash. The row stays, so the client id is never
   * reused and the audit trail keeps its subject.
   */
  async delete(
    clientId: string,
    actor: Actor,
    expectedVersion: number | undefined,
    options: OperationOptions,
  ): Promise<void> {
    await this.#transaction(options, async (tx) => {
      const before = await this.#lockable(tx, clientId, actor, expectedVersion);
      const after = await this.#updateFrom(tx, before, {
        status: 'deleted',
        registrationAccessTokenSha256: null,
      });
      await this.#audit(tx, after, 'delete', actor, {
        status: { from: before.status, to: after.status },
        registrationAccessToken: { from: HIDDEN, to: null },
      });
    });
  }

  async list(
    organizationId: string,
    pageSize: number,
    pageToken: string,
    options: OperationOptions,
  ): Promise<ClientPage> {
    const after = pageToken === '' ? undefined : decodePageToken(pageToken);
    const { rows, suspension } = await this.#transaction(options, async (tx) => ({
      suspension: await suspensionOf(tx, organizationId),
      rows: await tx
        .select()
        .from(clients)
        .where(
          and(
            eq(clients.organizationId, organizationId),
            eq(clients.status, 'active'),
            after === undefined
              ? undefined
              : sql`(${clients.createdAt}, ${clients.clientId}) > (${after.createdAt}::timestamptz, ${after.clientId})`,
          ),
        )
        .orderBy(asc(clients.createdAt), asc(clients.clientId))
        // One more than asked tells whether another page follows, without a count.
        .limit(pageSize + 1),
    }));
    const page = rows.slice(0, pageSize);
    const last = page.at(-1);
    return {
      clients: page.map((row) => toRecord(row, suspension)),
      nextPageToken: rows.length > pageSize && last !== undefined ? encodePageToken(last) : '',
    };
  }

  /**
   * The client, when the token is its current registration access token; undefined otherwise, for an
   * unknown or deleted client too. Only hashes are compared, in constant time.
   */
  async checkToken(
    clientId: string,
    token: string,
    options: OperationOptions,
  ): Promise<ClientRecord | undefined> {
    const found = await this.#transaction(options, (tx) => withSuspension(tx, findActive(tx, clientId)));
    const matches = tokenMatches(token, found?.row.registrationAccessTokenSha256);
    return matches && found !== undefined ? toRecord(found.row, found.suspension) : undefined;
  }

  async rotateToken(clientId: string, actor: Actor, options: OperationOptions): Promise<IssuedToken> {
    const token = newRegistrationAccessToken();
    const { row, suspension } = await this.#transaction(options, async (tx) => {
      const before = await this.#lockable(tx, clientId, actor, undefined);
      const after = await this.#updateFrom(tx, before, { registrationAccessTokenSha256: hashToken(token) });
      await this.#audit(tx, after, 'rotate_token', actor, {
        registrationAccessToken: { from: HIDDEN, to: HIDDEN },
      });
      return { row: after, suspension: await suspensionOf(tx, after.organizationId) };
    });
    return { client: toRecord(row, suspension), registrationAccessToken: token };
  }

  /**
   * Reads the client a change applies to and checks the change may go ahead. No row lock: the
   * update's `where version = ...` settles a race, so a slow caller never blocks others.
   */
  async #lockable(
    tx: Tx,
    clientId: string,
    actor: Actor,
    expectedVersion: number | undefined,
  ): Promise<ClientRow> {
    const before = await findActive(tx, clientId);
    if (before === undefined) throw notFound();
    // Defence in depth: the registration service checks the organisation too, but a client must
    // never be changed on behalf of another TPP, whatever a caller gets wrong.
    if (before.organizationId !== actor.organizationId) {
      throw new RegistryError('permission_denied', 'the client belongs to another organisation');
    }
    if (expectedVersion !== undefined && before.version !== expectedVersion) throw versionConflict();
    return before;
  }

  /**
   * Writes `changes` over `before` and bumps the version. The update only matches `before`'s version:
   * when another change committed between our read and this update, it won, and this one conflicts.
   */
  async #updateFrom(
    tx: Tx,
    before: ClientRow,
    changes: PgUpdateSetSource<typeof clients>,
  ): Promise<ClientRow> {
    const [after] = await tx
      .update(clients)
      .set({ ...changes, updatedAt: this.#now(), version: sql`${clients.version} + 1` })
      .where(and(eq(clients.clientId, before.clientId), eq(clients.version, before.version)))
      .returning();
    if (after === undefined) throw versionConflict();
    return after;
  }

  async #audit(tx: Tx, row: ClientRow, action: AuditAction, actor: Actor, changes: Changes): Promise<void> {
    await tx.insert(clientAudit).values({
      clientId: row.clientId,
      action,
      at: row.updatedAt,
      actorOrganizationId: actor.organizationId,
      actorCertificateThumbprint: actor.certificateThumbprint,
      changes,
      versionAfter: row.version,
    });
  }

  async #transaction<T>(options: OperationOptions, work: (tx: Tx) => Promise<T>): Promise<T> {
    const timeoutMs = Math.max(1, Math.floor(options.timeoutMs));
    const deadlineAt = Date.now() + timeoutMs;
    return this.#database.transaction(async (tx) => {
      // `true`: local to this transaction, so the pooled connection goes back without it.
      await tx.execute(sql`select set_config('statement_timeout', ${String(timeoutMs)}, true)`);
      const result = await work(tx);
      // statement_timeout bounds each statement, not their sum. A caller that has already been told
      // DEADLINE_EXCEEDED must not find the change committed after all, so roll back instead.
      if (Date.now() >= deadlineAt) {
        throw new RegistryError('deadline_exceeded', 'the deadline passed before the change could commit');
      }
      return result;
    });
  }
}
