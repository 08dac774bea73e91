import type { ClientMetadata } from '@psd2/client-registry-client';
import {
  checkUpdateFields,
  readMembers,
  refuseClientSecret,
  refuseSoftwareStatement,
  requireJsonObject,
} from './metadata-members.js';
import {
  checkAuthMethod,
  checkGrantAndResponseTypesAgree,
  checkGrantTypes,
  checkRedirectUris,
  checkResponseTypes,
  checkScope,
  checkScopeMatchesGrantTypes,
  checkSubjectDn,
  type MetadataContext,
} from './metadata-policy.js';
import { checkMetadataDepth } from './metadata-shape.js';

export * from './metadata-members.js';
export * from './metadata-policy.js';
export { checkJwks } from './metadata-shape.js';

/**
 * The whole request: structure first, then each member through the shared schema, then this server's
 * policy and the consistency between members, so the first problem reported is the most basic one.
 * Returns the metadata to store, defaults filled in.
 */
export function validateClientMetadata(body: unknown, context: MetadataContext): ClientMetadata {
  checkMetadataDepth(body);
  const raw = requireJsonObject(body);
  refuseSoftwareStatement(raw);
  refuseClientSecret(raw);
  if (context.update !== undefined) checkUpdateFields(raw, context.update.clientId);
  const members = readMembers(raw);

  const grantTypes = checkGrantTypes(members.grantTypes);
  const responseTypes = checkResponseTypes(members.responseTypes, grantTypes);
  checkGrantAndResponseTypesAgree(grantTypes, responseTypes);
  const tokenEndpointAuthMethod = checkAuthMethod(members.tokenEndpointAuthMethod);
  const scopes = checkScope(members.scope, context.certificate.roles);
  checkScopeMatchesGrantTypes(scopes, grantTypes);
  return {
    ...members,
    redirectUris: checkRedirectUris(members.redirectUris, grantTypes),
    grantTypes,
    responseTypes,
    scope: scopes.join(' '),
    tokenEndpointAuthMethod,
    tlsClientAuthSubjectDn: checkSubjectDn(members.tlsClientAuthSubjectDn, context),
  };
}
