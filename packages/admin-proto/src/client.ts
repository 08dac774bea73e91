import type { ChannelCredentials } from '@grpc/grpc-js';
import { unaryCaller } from '@psd2/grpc-client';
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
 * (@psd2/grpc-client). There is no insecure default: the caller passes the mutual TLS credentials of an operator certificate.
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

export function connectOperatorApi(
  address: string,
  options: { readonly credentials: ChannelCredentials; readonly deadlineMs?: number },
): OperatorApi {
  const client = new OperatorServiceClient(address, options.credentials);
  const call = unaryCaller(client, options.deadlineMs ?? 10_000);
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
