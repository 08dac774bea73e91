import { localizedBase, memberName } from './issues.js';
import { CLIENT_METADATA_FIELDS, type ClientMetadata, clientMetadataFields } from './schema.js';

/*
 * Between the schema's fields and RFC 7591 JSON members, derived from the field names: `logoUri` is
 * `logo_uri`, and a `<name>Localized` field is the members `<name>#<tag>` (RFC 7591 §2.2).
 */

type Members = Readonly<Record<string, unknown>>;

/**
 * The members of a TPP's JSON that the schema knows, under the schema's keys, ready for it to parse.
 * `null` counts as absent, as many clients send it for "none"; unknown members are ignored (RFC 7591 §2).
 */
export function fromRfc7591Members(raw: Members): Record<string, unknown> {
  const candidate: Record<string, unknown> = {};
  for (const field of CLIENT_METADATA_FIELDS) {
    const base = localizedBase(field);
    if (base === undefined) {
      const value = raw[memberName(field)];
      if (value !== undefined && value !== null) candidate[field] = value;
      continue;
    }
    const prefix = `${memberName(base)}#`;
    const values: Record<string, unknown> = {};
    for (const [member, value] of Object.entries(raw)) {
      if (member.startsWith(prefix) && value !== null) values[member.slice(prefix.length)] = value;
    }
    if (Object.keys(values).length > 0) candidate[field] = values;
  }
  return candidate;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/**
 * RFC 7591 §3.2.1: every stored field as its member. Required fields always, optional ones only when they
 * hold something, since the registry cannot tell an empty list from an absent one.
 */
export function toRfc7591Members(metadata: ClientMetadata): Record<string, unknown> {
  const members: Record<string, unknown> = {};
  for (const field of CLIENT_METADATA_FIELDS) {
    const value: unknown = metadata[field];
    const optional = clientMetadataFields[field].safeParse(undefined).success;
    if (optional && isEmpty(value)) continue;
    const base = localizedBase(field);
    if (base === undefined) {
      members[memberName(field)] = Array.isArray(value) ? [...value] : value;
      continue;
    }
    for (const [tag, text] of Object.entries(value as Record<string, unknown>)) {
      members[`${memberName(base)}#${tag}`] = text;
    }
  }
  return members;
}
