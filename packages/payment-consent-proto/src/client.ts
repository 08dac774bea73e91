import { type ChannelCredentials, credentials } from '@grpc/grpc-js';
import { ROUND_ROBIN_CHANNEL_OPTIONS, unaryCaller } from '@psd2/grpc-client';
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
 * deadline (@psd2/grpc-client).
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
    ROUND_ROBIN_CHANNEL_OPTIONS,
  );
  const call = unaryCaller(client, options.deadlineMs ?? 5000);
  const get = call<{ paymentRequestId: string }, GetPaymentRequestResponse>('getPaymentRequest');
  return {
    register: call('registerPaymentRequest'),
    get: (paymentRequestId) => get({ paymentRequestId }),
    report: call('reportPaymentOutcome'),
    close: () => client.close(),
  };
}
