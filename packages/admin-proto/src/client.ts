import { type ChannelCredentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  type ListClientsRequest,
  type ListClientsResponse,
  type ListGrantsRequest,
  type ListGrantsResponse,
  OperatorServiceClient,
  type ReinstateOrganisationRequest,
  type ReinstateOrganisationResponse,
  type ShowClientResponse,
  type SuspendOrganisationRequest,
  type SuspendOrganisationResponse,
  type WithdrawGrantRequest,
  type WithdrawGrantResponse,
} from './gen/psd2/admin/v1/admin.js';

/*
 * The operators' API as the `pnpm admin` CLI and the tests call it: each RPC a promise with a deadline
 * (grpc-js has none by default, and a call without one can wait for ever on a lost peer). There is no
 * insecure default: the caller passes the mutual TLS credentials of an operator certificate.
 */

export interface OperatorApi {
  suspendOrganisation(request: SuspendOrganisationRequest): Promise<SuspendOrganisationResponse>;
  reinstateOrganisation(request: ReinstateOrganisationRequest): Promise<ReinstateOrganisationResponse>;
  listClients(request: ListClientsRequest): Promise<ListClientsResponse>;
  showClient(clientId: string): Promise<ShowClientResponse>;
  listGrants(request: ListGrantsRequest): Promise<ListGrantsResponse>;
  withdrawGrant(request: WithdrawGrantRequest): Promise<WithdrawGrantResponse>;
  close(): void;
}

type Method =
  | 'suspendOrganisation'
  | 'reinstateOrganisation'
  | 'listClients'
  | 'showClient'
  | 'listGrants'
  | 'withdrawGrant';

export function connectOperatorApi(
  address: string,
  options: { readonly credentials: ChannelCredentials; readonly deadlineMs?: number },
): OperatorApi {
  const client = new OperatorServiceClient(address, options.credentials);
  const deadlineMs = options.deadlineMs ?? 10_000;
  const call =
    <Req, Res>(method: Method) =>
    (request: Req) =>
      new Promise<Res>((resolve, reject) => {
        const invoke = client[method].bind(client) as unknown as (
          request: Req,
          metadata: Metadata,
          options: { deadline: number },
          callback: (error: ServiceError | null, response: Res) => void,
        ) => void;
        invoke(request, new Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) =>
          error ? reject(error) : resolve(response),
        );
      });
  const showClient = call<{ clientId: string }, ShowClientResponse>('showClient');
  return {
    suspendOrganisation: call('suspendOrganisation'),
    reinstateOrganisation: call('reinstateOrganisation'),
    listClients: call('listClients'),
    showClient: (clientId) => showClient({ clientId }),
    listGrants: call('listGrants'),
    withdrawGrant: call('withdrawGrant'),
    close: () => client.close(),
  };
}
