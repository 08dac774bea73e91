import type { ClientMetadata } from '@psd2/client-metadata';
import type { ClientRow } from './db/schema.js';
import type { OrganisationSuspension } from './organisation-suspension.js';

/*
 * The registry's own vocabulary, between the gRPC messages and the table rows. The metadata is
 * @psd2/client-metadata's, stored as the schema validated it.
 */

export const PSD2_ROLES = ['PSP_AS', 'PSP_PI', 'PSP_AI', 'PSP_IC'] as const;
export type Psd2RoleName = (typeof PSD2_ROLES)[number];

export interface NewClient {
  readonly organizationId: string;
  readonly organizationName: string;
  readonly ncaId: string;
  readonly roles: Psd2RoleName[];
  readonly registeredSubjectDn: string;
  readonly registeredCertificateThumbprint: string;
  readonly metadata: ClientMetadata;
}

/** Who makes a change, from the certificate the TPP presented. */
export interface Actor {
  readonly organizationId: string;
  readonly certificateThumbprint: string;
}

export type ClientRecord = Omit<ClientRow, 'registrationAccessTokenSha256'> & {
  /** The operator suspensions in force for the client's organisation. */
  readonly suspension: OrganisationSuspension;
};
