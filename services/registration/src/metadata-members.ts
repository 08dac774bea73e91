import {
  type ClientMetadataMembers,
  clientMetadataFields,
  clientMetadataMembersSchema,
  describeIssues,
  fromRfc7591Members,
  httpsUrl,
  MAX_URI,
  type MetadataProblem,
  text,
  textList,
} from '@psd2/client-metadata';
import {
  InvalidClientMetadataError,
  InvalidRedirectUriError,
  InvalidSoftwareStatementError,
} from '@psd2/oauth-errors';
import type { z } from 'zod';

/*
 * Reading a TPP's JSON: the request's structure, then every member through @psd2/client-metadata's
 * schema, the one the registry stores with. Each refusal is a standard RFC 7591 §3.2.2 error whose
 * description names the member and says what is wrong, because a TPP integrating by hand can only fix
 * what it is told about. Members this server does not understand are ignored (RFC 7591 §2).
 */

export type Raw = Readonly<Record<string, unknown>>;

// Descriptions echo what the client sent; the one serializer maps them onto RFC 6749 §5.2's characters.
export const metadataError = (description: string) => new InvalidClientMetadataError({ description });
export const redirectError = (description: string) => new InvalidRedirectUriError({ description });

function refusal(problem: MetadataProblem): Error {
  return problem.error === 'invalid_redirect_uri'
    ? redirectError(problem.description)
    : metadataError(problem.description);
}

/** One member parsed on its own; `null` counts as absent, as many clients send it for "none". */
function parseMember<T extends z.ZodType>(
  schema: T,
  value: unknown,
  member: string,
): z.output<T> | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw refusal(describeIssues(parsed.error, [member]));
  return parsed.data;
}

/** RFC 7591 §3.1: the registration request is a JSON object whose members are the metadata. */
export function requireJsonObject(body: unknown): Raw {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw metadataError('The request body must be a JSON object of client metadata.');
  }
  return body as Raw;
}

/**
 * RFC 7591 §2.3 and §3.1.1: software statements are optional for a server to support. This one does
 * not (the QWAC already says who the TPP is), and says so rather than silently ignoring a signed
 * statement the TPP may believe constrains its registration.
 */
export function refuseSoftwareStatement(raw: Raw): void {
  if (raw.software_statement !== undefined) {
    throw new InvalidSoftwareStatementError({
      description:
        'software_statement is not supported by this server: send the client metadata as plain JSON members; the QWAC identifies the TPP.',
    });
  }
}

/** RFC 8705 §2: a tls_client_auth client has no secret; a client_secret would never be checked. */
export function refuseClientSecret(raw: Raw): void {
  if (raw.client_secret !== undefined || raw.client_secret_expires_at !== undefined) {
    throw metadataError(
      'client_secret is not supported: clients authenticate with their QWAC (tls_client_auth, RFC 8705).',
    );
  }
}

/**
 * RFC 7592 §2.2: an update names the client it updates and must not carry the fields only the server
 * issues. A different client_id is refused: it can never be changed.
 */
export function checkUpdateFields(raw: Raw, clientId: string): void {
  if (raw.client_id !== clientId) {
    throw metadataError(
      'client_id must be present and equal to the client identifier in the URL; it cannot be changed (RFC 7592 §2.2).',
    );
  }
  for (const field of ['registration_access_token', 'registration_client_uri', 'client_id_issued_at']) {
    if (raw[field] !== undefined) {
      throw metadataError(
        `${field} must not be sent in an update: only the server issues it (RFC 7592 §2.2).`,
      );
    }
  }
}

/** Every member the schema knows, typed and within its limits; policy comes after (metadata-policy.ts). */
export function readMembers(raw: Raw): ClientMetadataMembers {
  const parsed = clientMetadataMembersSchema.safeParse(fromRfc7591Members(raw));
  if (!parsed.success) throw refusal(describeIssues(parsed.error));
  return parsed.data;
}

/** RFC 7591 §2: string-valued metadata. */
export function readString(raw: Raw, field: string, maxLength: number): string | undefined {
  return parseMember(text(maxLength), raw[field], field);
}

/** RFC 7591 §2: array-of-strings metadata; duplicates are refused rather than silently merged. */
export function readStringList(
  raw: Raw,
  field: string,
  limits: { readonly maxItems: number; readonly maxLength: number },
): readonly string[] | undefined {
  return parseMember(textList(limits), raw[field], field);
}

/** RFC 7591 §2 URI metadata (logo_uri, client_uri, policy_uri, tos_uri, jwks_uri): absolute https URLs. */
export function checkHttpsUri(value: string | undefined, field: string): string | undefined {
  return parseMember(httpsUrl(MAX_URI), value, field);
}

/** RFC 7591 §2.2: `client_name#<language tag>`, e.g. client_name#fr. */
export function readLocalizedNames(raw: Raw): Readonly<Record<string, string>> | undefined {
  const { clientNameLocalized } = fromRfc7591Members(raw);
  return parseMember(clientMetadataFields.clientNameLocalized, clientNameLocalized, 'clientNameLocalized');
}
