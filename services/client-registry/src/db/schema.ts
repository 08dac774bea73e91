import type { ClientMetadata } from '@psd2/client-metadata';
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/*
 * The registry's tables. They carry no schema name on purpose: the connection's search_path decides
 * where they live, so each test file gets its own schema and production uses `public`.
 *
 * This file imports nothing but drizzle (and types, which vanish): drizzle-kit loads it on its own to generate migrations
 * (`pnpm --filter @psd2/client-registry-service db:generate`).
 */

// Millisecond precision, because JavaScript dates carry no more: a timestamp read back then equals the
// one written, which the list's page token relies on.
const instant = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });

export const clients = pgTable(
  'clients',
  {
    clientId: text('client_id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    organizationName: text('organization_name').notNull(),
    ncaId: text('nca_id').notNull(),
    roles: text('roles').array().notNull(),
    registeredSubjectDn: text('registered_subject_dn').notNull(),
    registeredCertificateThumbprint: text('registered_certificate_thumbprint').notNull(),

    // The RFC 7591 metadata, as @psd2/client-metadata's schema validated it: one document, so a new
    // metadata field needs no migration.
    metadata: jsonb('metadata').$type<ClientMetadata>().notNull(),

    status: text('status', { enum: ['active', 'deleted'] }).notNull(),
    // base64url SHA-256 of the registration access token; null once the client is deleted, so no
    // token can ever match it again. The token itself is never stored.
    registrationAccessTokenSha256: text('registration_access_token_sha256'),
    createdAt: instant('created_at').notNull(),
    updatedAt: instant('updated_at').notNull(),
    version: integer('version').notNull(),
  },
  (table) => [
    check('clients_status_check', sql`${table.status} in ('active', 'deleted')`),
    check('clients_version_check', sql`${table.version} >= 1`),
    check(
      'clients_token_hash_check',
      sql`(${table.status} = 'active') = (${table.registrationAccessTokenSha256} is not null)`,
    ),
    // Keyset pagination of an organisation's clients, oldest first.
    index('clients_organization_idx').on(table.organizationId, table.createdAt, table.clientId),
    // One active registration per software product and organisation: registering the same software
    // twice is almost always a retried request, and RFC 7592 PUT is the way to change it.
    uniqueIndex('clients_active_software_uidx')
      .on(table.organizationId, sql`(${table.metadata} ->> 'softwareId')`)
      .where(sql`${table.status} = 'active' and (${table.metadata} ->> 'softwareId') is not null`),
  ],
);

export const AUDIT_ACTIONS = ['create', 'replace', 'delete', 'rotate_token'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * One row per change. No foreign key to `clients`: the trail must outlive the client, and an audit row
 * must never block or cascade with a change to the client it describes.
 */
export const clientAudit = pgTable(
  'client_audit',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    clientId: text('client_id').notNull(),
    action: text('action', { enum: AUDIT_ACTIONS }).notNull(),
    at: instant('at').notNull(),
    actorOrganizationId: text('actor_organization_id').notNull(),
    actorCertificateThumbprint: text('actor_certificate_thumbprint').notNull(),
    // For each changed field, its value before and after (`null` when absent); never a token.
    changes: jsonb('changes').$type<Record<string, { from: unknown; to: unknown }>>().notNull(),
    versionAfter: integer('version_after').notNull(),
  },
  (table) => [
    check(
      'client_audit_action_check',
      sql`${table.action} in ('create', 'replace', 'delete', 'rotate_token')`,
    ),
    index('client_audit_client_idx').on(table.clientId, table.id),
  ],
);

export const SUSPENDABLE_ROLES = ['PSP_PI', 'PSP_AI', 'PSP_IC'] as const;

/**
 * An operator's suspension of a TPP organisation (role null) or of one of its PSD2 roles, after the
 * national authority withdrew it. A row is in force until `reinstated_at` is set; it is never deleted,
 * so the table is the history too. At most one row per (organisation, role) is in force: two operators
 * suspending at once settle on the partial unique index, not on a read-then-write race.
 */
export const organisationSuspensions = pgTable(
  'organisation_suspensions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    organizationId: text('organization_id').notNull(),
    role: text('role', { enum: SUSPENDABLE_ROLES }),
    suspendedAt: instant('suspended_at').notNull(),
    suspendedBy: text('suspended_by').notNull(),
    suspendedByThumbprint: text('suspended_by_thumbprint').notNull(),
    reason: text('reason').notNull(),
    reinstatedAt: instant('reinstated_at'),
    reinstatedBy: text('reinstated_by'),
    reinstatedByThumbprint: text('reinstated_by_thumbprint'),
    reinstatementReason: text('reinstatement_reason'),
  },
  (table) => [
    check(
      'organisation_suspensions_role_check',
      sql`${table.role} is null or ${table.role} in ('PSP_PI', 'PSP_AI', 'PSP_IC')`,
    ),
    // All four reinstatement columns are set together or not at all.
    check(
      'organisation_suspensions_reinstated_check',
      sql`(${table.reinstatedAt} is null) = (${table.reinstatedBy} is null) and (${table.reinstatedAt} is null) = (${table.reinstatedByThumbprint} is null) and (${table.reinstatedAt} is null) = (${table.reinstatementReason} is null)`,
    ),
    // coalesce: a unique index treats nulls as distinct, and the whole-organisation row has role null.
    uniqueIndex('organisation_suspensions_in_force_uidx')
      .on(table.organizationId, sql`coalesce(${table.role}, '')`)
      .where(sql`${table.reinstatedAt} is null`),
    index('organisation_suspensions_organization_idx').on(table.organizationId, table.id),
  ],
);

export const OPERATOR_ACTIONS = ['suspend_organisation', 'reinstate_organisation', 'withdraw_grant'] as const;
export type OperatorActionName = (typeof OPERATOR_ACTIONS)[number];

/**
 * Every operator action: who (certificate subject and thumbprint), when, why, on what. Like
 * client_audit it has no foreign key, so the trail outlives what it describes. The action is checked by
 * the application (a new action needs no migration); the reason is checked here too, as the last line.
 */
export const operatorActions = pgTable(
  'operator_actions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: instant('at').notNull(),
    operatorSubject: text('operator_subject').notNull(),
    operatorCertificateThumbprint: text('operator_certificate_thumbprint').notNull(),
    action: text('action').notNull(),
    organizationId: text('organization_id'),
    role: text('role'),
    clientId: text('client_id'),
    grantId: text('grant_id'),
    psuId: text('psu_id'),
    reason: text('reason').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
  },
  (table) => [
    check(
      'operator_actions_reason_check',
      sql`char_length(${table.reason}) between 1 and 500 and ${table.reason} !~ '[[:cntrl:]]'`,
    ),
    index('operator_actions_organization_idx').on(table.organizationId, table.id),
    index('operator_actions_client_idx').on(table.clientId, table.id),
    index('operator_actions_psu_idx').on(table.psuId, table.id),
  ],
);

export const schema = { clients, clientAudit, organisationSuspensions, operatorActions };
export type ClientRow = typeof clients.$inferSelect;
export type NewClientRow = typeof clients.$inferInsert;
export type AuditRow = typeof clientAudit.$inferSelect;
export type SuspensionRow = typeof organisationSuspensions.$inferSelect;
export type OperatorActionRow = typeof operatorActions.$inferSelect;
