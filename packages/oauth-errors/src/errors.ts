/*
 * One class per standard OAuth error code, each with its HTTP status. The `description` is what the
 * client sees (generic unless a caller deliberately says more, as RFC 7591 registration does); the
 * `detail` is the specific cause and goes to the log only.
 */

export const OAUTH_ERROR_CODES = [
  // RFC 6749 §4.1.2.1 and §5.2
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'invalid_scope',
  'access_denied',
  'server_error',
  'temporarily_unavailable',
  // RFC 6750 §3.1
  'invalid_token',
  'insufficient_scope',
  // RFC 7009 §2.2.1
  'unsupported_token_type',
  // RFC 7591 §3.2.2
  'invalid_redirect_uri',
  'invalid_client_metadata',
  'invalid_software_statement',
  'unapproved_software_statement',
  // RFC 9396 §5
  'invalid_authorization_details',
  // RFC 9101 §7.x, used by RFC 9126 for a request_uri that is unknown, expired, used or another client's
  'invalid_request_uri',
] as const;

export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

export interface OAuthErrorOptions {
  /** Shown to the client; defaults to the class's generic text. Never put secrets or internals here. */
  readonly description?: string;
  /** The specific cause, for the log only. */
  readonly detail?: string;
  readonly cause?: unknown;
  /** Overrides the class's status where a standard asks for another (e.g. 404, 413, 415, 429). */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export abstract class OAuthError extends Error {
  abstract readonly code: OAuthErrorCode;
  readonly status: number;
  readonly description: string;
  readonly detail: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  protected constructor(defaultStatus: number, defaultDescription: string, options: OAuthErrorOptions) {
    super(options.detail ?? options.description ?? defaultDescription, { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status ?? defaultStatus;
    this.description = options.description ?? defaultDescription;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }
}

export class InvalidRequestError extends OAuthError {
  readonly code = 'invalid_request';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'The request is missing a required parameter or is otherwise malformed.', options);
  }
}

export class InvalidClientError extends OAuthError {
  readonly code = 'invalid_client';
  constructor(options: OAuthErrorOptions = {}) {
    super(401, 'Client authentication failed.', options);
  }
}

export class InvalidGrantError extends OAuthError {
  readonly code = 'invalid_grant';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'The grant is invalid, expired, revoked or was issued to another client.', options);
  }
}

export class UnauthorizedClientError extends OAuthError {
  readonly code = 'unauthorized_client';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'The client is not authorized to use this grant or response type.', options);
  }
}

export class UnsupportedGrantTypeError extends OAuthError {
  readonly code = 'unsupported_grant_type';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'The grant type is not supported.', options);
  }
}

export class UnsupportedResponseTypeError extends OAuthError {
  readonly code = 'unsupported_response_type';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'The response type is not supported.', options);
  }
}

export class InvalidScopeError extends OAuthError {
  readonly code = 'invalid_scope';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'The requested scope is invalid, unknown or not allowed.', options);
  }
}

export class AccessDeniedError extends OAuthError {
  readonly code = 'access_denied';
  constructor(options: OAuthErrorOptions = {}) {
    super(403, 'The resource owner or the server denied the request.', options);
  }
}

export class ServerError extends OAuthError {
  readonly code = 'server_error';
  constructor(options: OAuthErrorOptions = {}) {
    super(500, 'The server encountered an unexpected condition.', options);
  }
}

export class TemporarilyUnavailableError extends OAuthError {
  readonly code = 'temporarily_unavailable';
  constructor(options: OAuthErrorOptions = {}) {
    super(503, 'The server is temporarily unable to handle the request.', options);
  }
}

export class InvalidTokenError extends OAuthError {
  readonly code = 'invalid_token';
  constructor(options: OAuthErrorOptions = {}) {
    const description = options.description ?? 'The access token is invalid, expired or revoked.';
    // RFC 6750 §3: a 401 for a bearer token carries a WWW-Authenticate challenge.
    super(401, description, {
      ...options,
      headers: {
        'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description.replace(/["\\]/g, '')}"`,
        ...options.headers,
      },
    });
  }
}

export class InsufficientScopeError extends OAuthError {
  readonly code = 'insufficient_scope';
  constructor(options: OAuthErrorOptions = {}) {
    super(403, 'The token does not grant the scope this request needs.', options);
  }
}

export class UnsupportedTokenTypeError extends OAuthError {
  readonly code = 'unsupported_token_type';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'The server does not support revoking this type of token.', options);
  }
}

export class InvalidRedirectUriError extends OAuthError {
  readonly code = 'invalid_redirect_uri';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'One or more redirect URIs are invalid.', options);
  }
}

export class InvalidClientMetadataError extends OAuthError {
  readonly code = 'invalid_client_metadata';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'A client metadata field is invalid.', options);
  }
}

export class InvalidSoftwareStatementError extends OAuthError {
  readonly code = 'invalid_software_statement';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'The software statement is invalid.', options);
  }
}

export class UnapprovedSoftwareStatementError extends OAuthError {
  readonly code = 'unapproved_software_statement';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'The software statement is not approved for use with this server.', options);
  }
}

/** RFC 9396 §5: the `authorization_details` are malformed, of an unknown type, or refused by policy. */
export class InvalidAuthorizationDetailsError extends OAuthError {
  readonly code = 'invalid_authorization_details';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'The authorization_details are invalid.', options);
  }
}

/** RFC 9101 / RFC 9126 §4: the `request_uri` is unknown, expired, already used or another client's. */
export class InvalidRequestUriError extends OAuthError {
  readonly code = 'invalid_request_uri';
  constructor(options: OAuthErrorOptions = {}) {
    super(400, 'The request_uri is invalid, expired or already used.', options);
  }
}
