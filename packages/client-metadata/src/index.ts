export { httpsUrl, localized, REDIRECT_URI_ISSUE, text, textList } from './fields.js';
export { describeIssues, localizedBase, type MetadataProblem, memberName } from './issues.js';
export { type JsonWebKeySet, jwksSchema } from './jwks.js';
export { metadataFromMessage, metadataToMessage } from './proto.js';
export { fromRfc7591Members, toRfc7591Members } from './rfc7591.js';
export * from './rules.js';
export {
  CLIENT_METADATA_FIELDS,
  type ClientMetadata,
  type ClientMetadataField,
  type ClientMetadataMembers,
  clientMetadataFields,
  clientMetadataMembersSchema,
  clientMetadataSchema,
} from './schema.js';
