/*
 * The payment-consent API's wire contract, generated from proto/psd2/paymentconsent/v1 by `pnpm codegen`
 * (buf + ts-proto). The service and its callers import it from here rather than from src/gen, so a
 * change of generator layout touches this file only.
 */

export { connectPaymentConsentApi, type PaymentConsentApi } from './client.js';
export * from './gen/psd2/paymentconsent/v1/payment_consent.js';
