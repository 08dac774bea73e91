import type { ClientCertificateResolver, QwacIdentity } from '@psd2/certificates';
import type { ClientRegistry, RegisteredClient } from '@psd2/client-registry-client';
import { acceptBody, createHttpApp, type HttpApp, type Request, type Response } from '@psd2/http';
import type { Logger } from '@psd2/logging';
import {
  AccessDeniedError,
  InvalidRequestError,
  isDependencyUnavailable,
  TemporarilyUnavailableError,
} from '@psd2/oauth-errors';
import type { RateLimiter } from '@psd2/rate-limit';
import type { TokenStore } from '@psd2/token-store';
import { requireQwac } from './certificate.js';
import { deleteClientAndTokens } from './client-deletion.js';
import { authorizeManagement } from './management-auth.js';
import { validateClientMetadata } from './metadata.js';
import { fromRegistryError } from './registry-errors.js';
import { clientInformation } from './response.js';

export interface RegistrationDependencies {
  readonly logger: Logger;
  readonly registry: ClientRegistry;
  readonly certificates: ClientCertificateResolver;
  /** Where a deleted client's tokens are revoked. */
  readonly tokenStore: TokenStore;
  /** How long after a registry delete was sent it may still commit (client-deletion.ts). */
  readonly registryCommitHorizonMs: number;
  readonly rateLimiter: RateLimiter;
  readonly issuer: string;
  readonly maxClientsPerOrganisation: number;
  readonly maxBodyBytes: number;
}

const REGISTER = '/oauth2/register';
const CONFIGURATION = '/oauth2/register/:clientId';

/** Express's `next`, as far as these guards use it. */
type Next = () => void;

/** What the guards learned about a request, for the handler after them. */
interface RequestState {
  qwac: QwacIdentity;
  client?: RegisteredClient;
}

/** RFC 7591 registration and RFC 7592 management of OAuth clients. Builds the express app; does no I/O. */
export function createRegistrationApp(deps: RegistrationDependencies): HttpApp {
  const states = new WeakMap<Response, RequestState>();
  const stateOf = (res: Response): RequestState => {
    const state = states.get(res);
    // The routes below always put the certificate guard first; reaching here without it is a bug.
    if (state === undefined) throw new Error('request state missing: certificate guard not run');
    return state;
  };

  /** Every endpoint needs a QWAC first (RFC 8705 §2), before anything is parsed, counted or read. */
  const certificateGuard = (req: Request, res: Response, next: Next) => {
    const qwac = requireQwac(deps.certificates, {
      remoteAddress: req.socket.remoteAddress,
      header: req.headers['x-forwarded-client-cert'],
    });
    res.locals.logFields.organization_id = qwac.organizationIdentifier;
    states.set(res, { qwac });
    next();
  };

  /** Per organisation, all replicas together; failed attempts count too, which slows token guessing. */
  const rateGuard = async (_req: Request, res: Response, next: Next) => {
    const { qwac } = stateOf(res);
    let decision: Awaited<ReturnType<RateLimiter['hit']>>;
    try {
      decision = await deps.rateLimiter.hit(qwac.organizationIdentifier);
    } catch (error) {
      // Fail closed: without the shared counter the limit could not hold across replicas. Whether that
      // is Redis being unavailable (503) or a bug (500) is the one classifier's call, as everywhere.
      if (isDependencyUnavailable(error)) {
        throw new TemporarilyUnavailableError({ detail: 'rate limiter unavailable', cause: error });
      }
      throw error;
    }
    if (!decision.allowed) {
      // RFC 6585 §4: 429 with Retry-After.
      throw new InvalidRequestError({
        status: 429,
        description: `Too many registration requests from this organisation; retry after ${decision.retryAfterSeconds} seconds.`,
        headers: { 'Retry-After': String(decision.retryAfterSeconds) },
      });
    }
    next();
  };

  /** RFC 7592 §2: the registration access token and a QWAC of the client's organisation. */
  const managementGuard = async (req: Request, res: Response, next: Next) => {
    const state = stateOf(res);
    const clientId = String(req.params.clientId ?? '');
    res.locals.logFields.client_id = clientId;
    state.client = await authorizeManagement({
      clientId,
      authorization: req.get('authorization'),
      certificate: state.qwac,
      registry: deps.registry,
    });
    next();
  };

  const managedClient = (res: Response): RegisteredClient => {
    const { client } = stateOf(res);
    if (client === undefined) throw new Error('request state missing: management guard not run');
    return client;
  };

  const noStore = (res: Response) => res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  const body = acceptBody('json', { limit: `${deps.maxBodyBytes}b` });

  /** RFC 7591 §3: register a client bound to the presented QWAC's organisation. */
  const register = async (req: Request, res: Response) => {
    const { qwac } = stateOf(res);
    const metadata = validateClientMetadata(req.body, {
      certificate: { roles: qwac.roles, subjectDn: qwac.subjectDn },
    });
    await refuseOverCap(qwac.organizationIdentifier);
    let issued: Awaited<ReturnType<ClientRegistry['createClient']>>;
    try {
      issued = await deps.registry.createClient({
        organizationId: qwac.organizationIdentifier,
        // The registry needs a name; a QWAC without O still has its organisation identifier.
        organizationName: qwac.organizationName ?? qwac.organizationIdentifier,
        ncaId: qwac.ncaId,
        roles: qwac.roles,
        registeredSubjectDn: qwac.subjectDn,
        registeredCertificateThumbprint: qwac.x5tS256,
        metadata,
      });
    } catch (error) {
      throw fromRegistryError(error);
    }
    res.locals.logFields.client_id = issued.client.clientId;
    const information = clientInformation(issued.client, deps.issuer, issued.registrationAccessToken);
    noStore(res).status(201).location(String(information.registration_client_uri)).json(information);
  };

  /**
   * A cap on active clients per organisation, so one TPP cannot fill the registry. Two registrations
   * racing at the cap can both pass: the cap is a guard against abuse, not an exact quota.
   */
  const refuseOverCap = async (organizationId: string) => {
    let count: number;
    try {
      const page = await deps.registry.listClients({
        organizationId,
        pageSize: deps.maxClientsPerOrganisation,
      });
      count = page.clients.length;
    } catch (error) {
      throw fromRegistryError(error);
    }
    if (count >= deps.maxClientsPerOrganisation) {
      throw new AccessDeniedError({
        description: `This organisation already has ${deps.maxClientsPerOrganisation} clients, the most allowed: delete one (RFC 7592) or update it instead.`,
      });
    }
  };

  /** RFC 7592 §2.1: read the client's current configuration. */
  const read = (_req: Request, res: Response) => {
    noStore(res).json(clientInformation(managedClient(res), deps.issuer));
  };

  /**
   * RFC 7592 §2.2: full replacement with the same checks as a registration. The registration access
   * token is rotated, and the certificate presented becomes the registered one, so a renewed QWAC of
   * the same organisation takes over without a new registration.
   */
  const update = async (req: Request, res: Response) => {
    const { qwac } = stateOf(res);
    const client = managedClient(res);
    const metadata = validateClientMetadata(req.body, {
      certificate: { roles: qwac.roles, subjectDn: qwac.subjectDn },
      update: {
        clientId: client.clientId,
        currentSubjectDn: client.metadata.tlsClientAuthSubjectDn ?? client.registeredSubjectDn,
      },
    });
    let replaced: Awaited<ReturnType<ClientRegistry['replaceClient']>>;
    try {
      replaced = await deps.registry.replaceClient({
        clientId: client.clientId,
        expectedVersion: client.version,
        metadata,
        actor: { organizationId: qwac.organizationIdentifier, certificateThumbprint: qwac.x5tS256 },
        rotateRegistrationAccessToken: true,
        registeredCertificate: { subjectDn: qwac.subjectDn, thumbprint: qwac.x5tS256 },
      });
    } catch (error) {
      throw fromRegistryError(error);
    }
    noStore(res).json(clientInformation(replaced.client, deps.issuer, replaced.registrationAccessToken));
  };

  /**
   * RFC 7592 §2.3: deprovision. The client's tokens are revoked first, then the client deleted: there is
   * never a deleted client whose tokens still work, and a failed registry step leaves the client working
   * (503, the TPP retries): client-deletion.ts.
   */
  const remove = async (_req: Request, res: Response) => {
    const { qwac } = stateOf(res);
    await deleteClientAndTokens(
      {
        registry: deps.registry,
        tokenStore: deps.tokenStore,
        logger: deps.logger,
        commitHorizonMs: deps.registryCommitHorizonMs,
      },
      {
        clientId: managedClient(res).clientId,
        actor: { organizationId: qwac.organizationIdentifier, certificateThumbprint: qwac.x5tS256 },
      },
    );
    noStore(res).status(204).end();
  };

  return createHttpApp({
    logger: deps.logger,
    readiness: {
      'client-registry': () => deps.registry.waitForReady(900),
      'rate-limiter': () => deps.rateLimiter.ping(),
      'token-store': () => deps.tokenStore.ping(),
    },
    routes: (router) => {
      router.post(REGISTER, certificateGuard, rateGuard, ...body, register);
      router.get(CONFIGURATION, certificateGuard, rateGuard, managementGuard, read);
      router.put(CONFIGURATION, certificateGuard, rateGuard, managementGuard, ...body, update);
      router.delete(CONFIGURATION, certificateGuard, rateGuard, managementGuard, remove);
    },
  });
}
