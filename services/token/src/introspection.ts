import type { ClientCertificateResolver, QwacIdentity } from '@psd2/certificates';
import { requestCertificate } from '@psd2/client-authentication';
import {
  defineEndpoint,
  type Endpoint,
  FORM_POST,
  formSchema,
  json,
  parseInput,
  type RequestBasics,
} from '@psd2/http';
import { InvalidClientError } from '@psd2/oauth-errors';
import type { AccessTokenRecord, TokenStore } from '@psd2/token-store';
import type { GrantUseRecorder } from './grant-use.js';

export interface IntrospectionDependencies {
  readonly store: TokenStore;
  readonly certificates: ClientCertificateResolver;
  readonly issuer: string;
  /** The organizationIdentifiers allowed to introspect (the bank's own API). */
  readonly allowedOrganizations: readonly string[];
  /** An access token introspected active is a use of its grant (the customer page's "last used"). */
  readonly grantUse: GrantUseRecorder;
}

const INACTIVE = { active: false } as const;

/** The hint (§2.1) only speeds up a search; this store finds access tokens in one lookup either way. */
const INTROSPECTION = formSchema({ token: 'required' });

/**
 * `POST /oauth2/introspect` (RFC 7662) for the bank's own PSD2 API: the caller presents a certificate
 * of an allow-listed organisation (§2.1 leaves the method to the server; §4: the server MUST protect
 * the endpoint against token scanning). The PSP_AS role alone is not enough: every bank in the EU holds
 * it. Anything not active answers only `{"active": false}` (§2.2), so the endpoint tells nothing about
 * tokens that are expired, revoked, unknown or of a deleted client. A token for one approved payment
 * also says which payment (RFC 9396 §9.2 `authorization_details`, and `payment_request_id`), so the
 * bank's payment API refuses the token of payment A presented for payment B.
 */
export function introspectionEndpoint(deps: IntrospectionDependencies): Endpoint {
  return defineEndpoint({
    ...FORM_POST,
    path: '/oauth2/introspect',
    // The caller is checked once the body is known to be a form, before its parameters are looked at.
    handle: async (request) => {
      allowedCaller(deps, request);
      const { token } = parseInput(INTROSPECTION, request.body, 'body');
      return json(await introspect(deps, token));
    },
  });
}

function allowedCaller(deps: IntrospectionDependencies, request: RequestBasics): QwacIdentity {
  const certificate = requestCertificate(deps.certificates, request);
  if (certificate.kind !== 'present') {
    throw new InvalidClientError({ detail: `introspection caller certificate ${certificate.kind}` });
  }
  const caller = certificate.identity;
  if (!deps.allowedOrganizations.includes(caller.organizationIdentifier)) {
    throw new InvalidClientError({
      detail: `${caller.organizationIdentifier} may not introspect tokens`,
    });
  }
  request.fields.organization_id = caller.organizationIdentifier;
  return caller;
}

async function introspect(deps: IntrospectionDependencies, token: string): Promise<object> {
  const record = await deps.store.findAccessToken(token);
  if (record === undefined) return INACTIVE;
  const payment = await paymentOf(deps, record);
  if (payment === 'inactive') return INACTIVE;
  if (record.grantId !== undefined) deps.grantUse.record(record.grantId, Math.floor(Date.now() / 1000));
  return {
    active: true,
    scope: record.scope,
    client_id: record.clientId,
    token_type: 'Bearer',
    exp: record.expiresAt,
    iat: record.issuedAt,
    iss: deps.issuer,
    ...(record.subject === undefined ? {} : { sub: record.subject }),
    // RFC 8705 §3.2: the resource server compares this with the certificate the token is presented with.
    cnf: { 'x5t#S256': record.certificateThumbprint },
    organization_id: record.organizationId,
    ...payment,
  };
}

const hasPisp = (scope: string) => scope.split(' ').includes('pisp');

/**
 * The payment a pisp token from the code flow was issued for, read from its grant; nothing (and no
 * store call) for any other token: client-credentials pisp tokens have no grant, other scopes no payment.
 */
async function paymentOf(
  deps: IntrospectionDependencies,
  record: AccessTokenRecord,
): Promise<object | 'inactive'> {
  if (record.grantId === undefined || !hasPisp(record.scope)) return {};
  const grant = await deps.store.findGrant(record.grantId);
  // Revoked between the two reads (the payment was executed or cancelled): the token is dead.
  if (grant === undefined) return 'inactive';
  return {
    ...(grant.authorizationDetails === undefined
      ? {}
      : { authorization_details: grant.authorizationDetails }),
    ...(grant.paymentRequestId === undefined ? {} : { payment_request_id: grant.paymentRequestId }),
  };
}
