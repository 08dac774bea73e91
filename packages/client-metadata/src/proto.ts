import { ClientMetadata as ClientMetadataMessage } from '@psd2/client-registry-proto';
import { CLIENT_METADATA_FIELDS, type ClientMetadata, travelsAsJsonText } from './schema.js';

/*
 * Between the schema's metadata and the registry's protobuf message, whose fields ts-proto names as the
 * schema does. One rule for every field: absent stays absent, lists and maps are copied, and a JSON
 * document (jwks) travels as JSON text. What comes out of a message is not validated here: the registry
 * parses it with the schema before storing, and a reader trusts what the registry stored.
 */

export function metadataToMessage(metadata: ClientMetadata): ClientMetadataMessage {
  const message: Record<string, unknown> = {};
  for (const field of CLIENT_METADATA_FIELDS) {
    const value: unknown = metadata[field];
    if (value === undefined) continue;
    if (travelsAsJsonText(field)) message[field] = JSON.stringify(value);
    else
      message[field] = Array.isArray(value) ? [...value] : typeof value === 'object' ? { ...value } : value;
  }
  return ClientMetadataMessage.fromPartial(message);
}

/** Throws a SyntaxError when a JSON-text field is not JSON: only a caller that skipped the schema sends one. */
export function metadataFromMessage(message: ClientMetadataMessage | undefined): ClientMetadata {
  const base = message ?? ClientMetadataMessage.create();
  const metadata: Record<string, unknown> = {};
  for (const field of CLIENT_METADATA_FIELDS) {
    const value: unknown = base[field];
    if (value === undefined) continue;
    metadata[field] = travelsAsJsonText(field) && typeof value === 'string' ? JSON.parse(value) : value;
  }
  return metadata as unknown as ClientMetadata;
}
