import { type ChannelCredentials, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import {
  type GetPaymentRequestResponse,
  PaymentConsentServiceClient,
  type RegisterPaymentRequestRequest,
  type RegisterPaymentRequestResponse,
  type ReportPaymentOutcomeRequest,
  type ReportPaymentOutcomeResponse,
} from './gen/psd2/paymentconsent/v1/payment_consent.js';

/*
 * The payment-consent API as the bank's payment API calls it from Node: each RPC a promise with a
 * deadline (grpc-js has none by default, and a call without one can wait for ever on a lost peer).
 */

export interface PaymentConsentApi {
  register(request: RegisterPaymentRequestRequest): Promise<RegisterPaymentRequestResponse>;
  get(paymentRequestId: string): Promise<GetPaymentRequestResponse>;
  report(request: ReportPaymentOutcomeRequest): Promise<ReportPaymentOutcomeResponse>;
  close(): void;
}

export function connectPaymentConsentApi(
  address: string,
  options: { readonly credentials?: ChannelCredentials; readonly deadlineMs?: number } = {},
): PaymentConsentApi {
  const client = new PaymentConsentServiceClient(
    address,
    options.credentials ?? credentials.createInsecure(),
  );
  const deadlineMs = options.deadlineMs ?? 5000;
  const call =
    <Req, Res>(method: 'registerPaymentRequest' | 'getPaymentRequest' | 'reportPaymentOutcome') =>
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
  const get = call<{ paymentRequestId: string }, GetPaymentRequestResponse>('getPaymentRequest');
  return {
    register: call('registerPaymentRequest'),
    get: (paymentRequestId) => get({ paymentRequestId }),
    report: call('reportPaymentOutcome'),
    close: () => client.close(),
  };
}
