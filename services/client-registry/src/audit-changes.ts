import type { ClientRow } from './db/schema.js';

/*
 * What an audit row says changed: for each field, its value before and after (`null` when absent).
 * Metadata fields are listed under their own names, as the identity fields are, so the trail reads the
 * same whatever the metadata holds.
 */

export type Changes = Record<string, { from: unknown; to: unknown }>;

/** Stands for a registration access token in the trail: that it changed, never what it is. */
export const HIDDEN = '[hidden]';

const IDENTITY_FIELDS = [
  'organizationId',
  'organizationName',
  'ncaId',
  'roles',
  'registeredSubjectDn',
  'registeredCertificateThumbprint',
] as const;

const CERTIFICATE_FIELDS = ['registeredSubjectDn', 'registeredCertificateThumbprint'] as const;

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** JSON with object keys sorted and empty as null, so neither jsonb's key order nor [] for absent is a change. */
function canonical(value: unknown): string {
  return JSON.stringify(isEmpty(value) ? null : value, (_key, inner: unknown) =>
    typeof inner === 'object' && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** The fields of a row an audit row speaks of, metadata fields flattened beside the identity ones. */
function auditedFields(row: ClientRow, identity: readonly (keyof ClientRow)[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const field of identity) fields[field] = row[field];
  return { ...fields, ...row.metadata };
}

/** A new client: every field that holds something, from nothing. */
export function creationChanges(row: ClientRow): Changes {
  const changes: Changes = {};
  for (const [field, value] of Object.entries(auditedFields(row, IDENTITY_FIELDS))) {
    if (!isEmpty(value)) changes[field] = { from: null, to: value };
  }
  return changes;
}

/** A replace: the metadata fields and certificate fields whose value differs. */
export function diff(before: ClientRow, after: ClientRow): Changes {
  const from = auditedFields(before, CERTIFICATE_FIELDS);
  const to = auditedFields(after, CERTIFICATE_FIELDS);
  const changes: Changes = {};
  for (const field of new Set([...Object.keys(from), ...Object.keys(to)])) {
    if (canonical(from[field]) !== canonical(to[field])) {
      changes[field] = { from: from[field] ?? null, to: to[field] ?? null };
    }
  }
  return changes;
}
