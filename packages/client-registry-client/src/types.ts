/*
 * What callers of the registry work with: plain readonly objects, dates as Date, roles by name. No
 * generated protobuf type leaks out of this package, so the wire format can change under them.
 */

import type { ClientMetadata } from '@psd2/client-metadata';

export type Psd2RoleName = 'PSP_AS' | 'PSP_PI' | 'PSP_AI' | 'PSP_IC';

/** RFC 7591 client metadata, as @psd2/client-metadata's schema defines it. */
export type { ClientMetadata, JsonWebKeySet } from '@psd2/client-metadata';

export interface NewClientInput {
  /** organizationIdentifier (OID 2.5.4.97), e.g. `PSDFR-ACPR-12345`. */
  readonly organizationId: string;
  readonly organizationName: string;
  readonly ncaId: string;
  readonly roles: readonly Psd2RoleName[];
  readonly registeredSubjectDn: string;
  /** base64url SHA-256 of the DER certificate presented at registration. */
  readonly registeredCertificateThumbprint: string;
  readonly metadata: ClientMetadata;
}

/** What the registry holds: the client as registered, plus what the registry itself adds. */
export interface RegisteredClient extends NewClientInput {
  readonly clientId: string;
  readonly status: 'active' | 'deleted';
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Pass it back as `expectedVersion` to replace or delete only what was read. */
  readonly version: number;
  /**
   * The bank operators' suspensions in force for the client's organisation (issue 18). Always set by
   * the registry; absent only in hand-built test doubles, where it means none.
   */
  readonly suspension?: ClientSuspension;
}

export interface ClientSuspension {
  /** The whole organisation: every request of the client is refused. */
  readonly organisationSuspended: boolean;
  /** Roles of the organisation whose scopes are refused. */
  readonly suspendedRoles: readonly Psd2RoleName[];
}

/** Who makes a change, from the certificate the TPP presented; recorded in the audit trail. */
export interface Actor {
  readonly organizationId: string;
  readonly certificateThumbprint: string;
}

export interface IssuedClient {
  readonly client: RegisteredClient;
  /** The plain registration access token: returned once, stored by the registry as a hash only. */
  readonly registrationAccessToken: string;
}

export interface ReplaceClientInput {
  readonly clientId: string;
  readonly expectedVersion: number;
  readonly metadata: ClientMetadata;
  readonly actor: Actor;
  readonly rotateRegistrationAccessToken?: boolean;
  /**
   * Moves the client to the TPP's renewed certificate (same organisation, new key): the subject DN and
   * thumbprint recorded for it. Absent keeps the stored ones.
   */
  readonly registeredCertificate?: {
    readonly subjectDn: string;
    readonly thumbprint: string;
  };
}

export interface ReplacedClient {
  readonly client: RegisteredClient;
  /** Present only when a rotation was asked for. */
  readonly registrationAccessToken?: string;
}

export interface DeleteClientInput {
  readonly clientId: string;
  readonly actor: Actor;
  readonly expectedVersion?: number;
}

export interface ListClientsInput {
  readonly organizationId: string;
  /** 1 to 100; defaults to 20. */
  readonly pageSize?: number;
  readonly pageToken?: string;
}

export interface ClientPage {
  readonly clients: readonly RegisteredClient[];
  /** Undefined on the last page. */
  readonly nextPageToken?: string;
}
