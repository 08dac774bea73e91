/** The one client id rule: what the registry generates and accepts. */
export { isClientId } from '@psd2/client-metadata';
export { MAX_CACHE_TTL_MS } from './cache.js';
export {
  type ClientRegistry,
  type ClientRegistryOptions,
  type ClientRegistryTransport,
  createClientRegistry,
  type TlsOptions,
} from './client.js';
export {
  ClientAlreadyExistsError,
  ClientNotFoundError,
  ClientPermissionDeniedError,
  ClientRegistryError,
  type ClientRegistryErrorKind,
  InvalidClientRequestError,
  OrganisationSuspendedError,
  RegistryDeadlineExceededError,
  RegistryFailureError,
  RegistryUnavailableError,
  VersionConflictError,
} from './errors.js';
export {
  type ClientRegistrySettings,
  clientRegistrySettings,
  createClientRegistryFromSettings,
  registryTransportFromSettings,
} from './settings.js';
export type {
  Actor,
  ClientMetadata,
  ClientPage,
  ClientSuspension,
  DeleteClientInput,
  IssuedClient,
  JsonWebKeySet,
  ListClientsInput,
  NewClientInput,
  Psd2RoleName,
  RegisteredClient,
  ReplaceClientInput,
  ReplacedClient,
} from './types.js';
