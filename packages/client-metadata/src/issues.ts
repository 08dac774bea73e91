import type { z } from 'zod';
import { REDIRECT_URI_ISSUE } from './fields.js';

/*
 * Zod issues in the words an RFC 7591 error description uses: the member a TPP sent (`client_name#fr`,
 * `redirect_uris`), not the schema's camelCase key.
 */

/** `redirectUris` -> `redirect_uris`: RFC 7591 member names are the schema's keys in snake_case. */
export function memberName(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** `clientNameLocalized` is RFC 7591 §2.2's `client_name#<tag>`: the field a localised one belongs to. */
export const LOCALIZED_SUFFIX = 'Localized';

export function localizedBase(field: string): string | undefined {
  return field.endsWith(LOCALIZED_SUFFIX) ? field.slice(0, -LOCALIZED_SUFFIX.length) : undefined;
}

function memberAt(path: readonly PropertyKey[]): string {
  const [field, next] = path;
  if (typeof field !== 'string') return 'metadata';
  const base = localizedBase(field);
  if (base === undefined) return memberName(field);
  return typeof next === 'string' ? `${memberName(base)}#${next}` : memberName(base);
}

export interface MetadataProblem {
  /** The RFC 7591 §3.2.2 error code this problem is reported with. */
  readonly error: 'invalid_client_metadata' | 'invalid_redirect_uri';
  readonly description: string;
}

/**
 * The first of a failed parse's issues, described for the TPP (or the registry's caller). `at` is where
 * the parsed value sits, when a single field was parsed on its own: `['contacts']`.
 */
export function describeIssues(error: z.ZodError, at: readonly PropertyKey[] = []): MetadataProblem {
  const issue = error.issues[0];
  if (issue === undefined)
    return { error: 'invalid_client_metadata', description: 'invalid client metadata.' };
  const description = issue.message.replaceAll('{field}', memberAt([...at, ...issue.path]));
  const params = issue.code === 'custom' ? (issue.params as { error?: string } | undefined) : undefined;
  return {
    error: params?.error === REDIRECT_URI_ISSUE ? 'invalid_redirect_uri' : 'invalid_client_metadata',
    description,
  };
}
