export { minorUnitsOf } from './currency.js';
export {
  checkPaymentDetail,
  MAX_AUTHORIZATION_DETAILS_BYTES,
  type PaymentAction,
  type PaymentInitiationDetail,
  parseAuthorizationDetails,
  paymentActionOf,
} from './details.js';
export { formatAmount, maskIban, paymentBinding } from './display.js';
export { PAYMENT_INITIATION_EXAMPLE } from './example.js';
