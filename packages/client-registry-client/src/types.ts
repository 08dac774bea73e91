/*
 * What callers of the registry work with: plain readonly objects, dates as Date, roles by name. No
 * generated protobuf type leaks out of this package, so the wire format can change under them.
 */

export type Psd2RoleName = 'PSP_AS' | 'PSP_PI' | 'PSP_AI' | 'PSP_IC';

/** A JWK Set (RFC 7517 §5); the registry checks only that `keys` is an array. */
export interface JsonWebKeySet {
  readonly keys: readonly unknown[];
  readonly [member: string]: unknown;
}

/** RFC 7591 client metadata. An absent optional field is `undefined`, never an empty string. */
export interface ClientMetadata {
  readonly redirectUris: readonly string[];
  readonly grantTypes: readonly string[];
  readonly responseTypes: readonly string[];
  readonly scope?: string | undefined;
  readonly tokenEndpointAuthMethod?: string | undefined;
  readonly tlsClientAuthSubjectDn?: string | undefined;
  readonly clientName?: string | undefined;
  /** client_name#<tag>, keyed by BCP 47 language tag, e.g. `{ fr: 'Mon appli' }`. */
  readonly clientNameLocalized?: Readonly<Record<string, string>> | undefined;
  readonly contacts?: readonly string[] | undefined;
  readonly logoUri?: string | undefined;
  readonly clientUri?: string | undefined;
  readonly policyUri?: string | undefined;
  readonly tosUri?: string | undefined;
  readonly jwks?: JsonWebKeySet | undefined;
  readonly jwksUri?: string | undefined;
  readonly softwareId?: string | undefined;
  readonly softwareVersion?: string | undefined;
}

export interface RegisteredClient {
  readonly clientId: string;
  /** organizationIdentifier (OID 2.5.4.97), e.g. `PSDFR-ACPR-12345`. */
  readonly organizationId: string;
  readonly organizationName: string;
  readonly ncaId: string;
  readonly roles: readonly Psd2RoleName[];
  readonly registeredSubjectDn: string;
  /** base64url SHA-256 of the DER certificate presented at registration. */
  readonly registeredCertificateThumbprint: string;
  readonly metadata: ClientMetadata;
  readonly status: 'active' | 'deleted';
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Pass it back as `expectedVersion` to replace or delete only what was read. */
  readonly version: number;
}

/** Who makes a change, from the certificate the TPP presented; recorded in the audit trail. */
export interface Actor {
  readonly organizationId: string;
  readonly certificateThumbprint: string;
}

export interface NewClientInput {
  readonly organizationId: string;
  readonly organizationName: string;
  readonly ncaId: string;
  readonly roles: readonly Psd2RoleName[];
  readonly registeredSubjectDn: string;
  readonly registeredCertificateThumbprint: string;
  readonly metadata: ClientMetadata;
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
