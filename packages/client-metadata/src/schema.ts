import { z } from 'zod';
import { httpsUrl, localized, redirectUris, text, textList } from './fields.js';
import { jwksSchema } from './jwks.js';
import { MAX_CONTACTS, MAX_IDENTIFIER, MAX_NAME, MAX_REDIRECT_URIS, MAX_URI } from './rules.js';

/*
 * RFC 7591 client metadata as this product stores it: the one list of fields. Registration reads a
 * TPP's JSON with it, the registry validates and stores with it, and the mappings to RFC 7591 JSON
 * (rfc7591.ts) and to the protobuf message (proto.ts) are derived from its keys, which are the RFC 7591
 * member names in camelCase. A new field is a line here and a field in client_registry.proto.
 *
 * Rules that need the caller's certificate or tie fields to PSD2 scopes (which grants a scope needs,
 * whose subject DN) are registration's, in services/registration/src/metadata-policy.ts.
 */

export const clientMetadataFields = {
  redirectUris: redirectUris({ maxItems: MAX_REDIRECT_URIS, maxLength: MAX_URI }),
  grantTypes: textList({ maxItems: 3, maxLength: 64 }),
  responseTypes: textList({ maxItems: 1, maxLength: 64 }),
  /** Space-separated scope values (RFC 6749 §3.3). */
  scope: text(512).optional(),
  tokenEndpointAuthMethod: text(64).optional(),
  tlsClientAuthSubjectDn: text(MAX_URI).optional(),
  clientName: text(MAX_NAME).optional(),
  /** client_name#<tag>, keyed by BCP 47 language tag, e.g. `{ fr: 'Mon appli' }`. */
  clientNameLocalized: localized(MAX_NAME).optional(),
  contacts: textList({ maxItems: MAX_CONTACTS, maxLength: 320 }).optional(),
  logoUri: httpsUrl(MAX_URI).optional(),
  clientUri: httpsUrl(MAX_URI).optional(),
  policyUri: httpsUrl(MAX_URI).optional(),
  tosUri: httpsUrl(MAX_URI).optional(),
  /** A JWK Set of public keys; travels as JSON text in the protobuf message. */
  jwks: jwksSchema.optional().meta({ protobuf: 'json-text' }),
  jwksUri: httpsUrl(MAX_URI).optional(),
  softwareId: text(MAX_IDENTIFIER).optional(),
  softwareVersion: text(MAX_IDENTIFIER).optional(),
};

export type ClientMetadataField = keyof typeof clientMetadataFields;

/** RFC 7591 §2: jwks is the key set by value, jwks_uri by reference; never both. */
function oneKeySource(metadata: { jwks?: unknown; jwksUri?: string | undefined }, context: z.RefinementCtx) {
  if (metadata.jwks !== undefined && metadata.jwksUri !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['jwks'],
      message: 'jwks and jwks_uri must not both be present (RFC 7591 §2).',
    });
  }
}

/** A client's whole metadata, as stored. Absent optional fields are absent, never empty strings. */
export const clientMetadataSchema = z.object(clientMetadataFields).superRefine(oneKeySource).readonly();

/** What a TPP sent: every field optional, because registration fills in defaults after reading. */
export const clientMetadataMembersSchema = z.object(clientMetadataFields).partial().superRefine(oneKeySource);

export type ClientMetadata = z.output<typeof clientMetadataSchema>;
export type ClientMetadataMembers = z.output<typeof clientMetadataMembersSchema>;

/** The fields in schema order, for the generic mappings. */
export const CLIENT_METADATA_FIELDS = Object.keys(clientMetadataFields) as ClientMetadataField[];

/** Fields a protobuf message carries as JSON text, because protobuf has no JSON object type. */
export function travelsAsJsonText(field: ClientMetadataField): boolean {
  return clientMetadataFields[field].meta()?.protobuf === 'json-text';
}
