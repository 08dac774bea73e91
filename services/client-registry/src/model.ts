import type { ClientRow } from './db/schema.js';

/*
 * The registry's own vocabulary, between the gRPC messages and the table rows. Metadata fields are
 * `null` when absent, as the columns are, so a validated request can be written as it is.
 */

export const PSD2_ROLES = ['PSP_AS', 'PSP_PI', 'PSP_AI', 'PSP_IC'] as const;
export type Psd2RoleName = (typeof PSD2_ROLES)[number];

export const METADATA_FIELDS = [
  'redirectUris',
  'grantTypes',
  'responseTypes',
  'scope',
  'tokenEndpointAuthMethod',
  'tlsClientAuthSubjectDn',
  'clientName',
  'clientNameLocalized',
  'contacts',
  'logoUri',
  'clientUri',
  'policyUri',
  'tosUri',
  'jwks',
  'jwksUri',
  'softwareId',
  'softwareVersion',
] as const satisfies readonly (keyof ClientRow)[];

export type ClientMetadataValues = Pick<ClientRow, (typeof METADATA_FIELDS)[number]>;

export interface NewClient {
  readonly organizationId: string;
  readonly organizationName: string;
  readonly ncaId: string;
  readonly roles: Psd2RoleName[];
  readonly registeredSubjectDn: string;
  readonly registeredCertificateThumbprint: string;
  readonly metadata: ClientMetadataValues;
}

/** Who makes a change, from the certificate the TPP presented. */
export interface Actor {
  readonly organizationId: string;
  readonly certificateThumbprint: string;
}

export type ClientRecord = Omit<ClientRow, 'registrationAccessTokenSha256'>;
