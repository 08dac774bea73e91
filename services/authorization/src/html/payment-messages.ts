/*
 * The words of a payment's pages (initiation or cancellation), French and English: one interface, so a
 * message missing in either language is a compile error.
 */

export interface PaymentMessages {
  readonly initiateTitle: string;
  readonly cancelTitle: string;
  /** The consent's heading: who asks, and for what. */
  readonly asksInitiate: (tpp: string) => string;
  readonly asksCancel: (tpp: string) => string;
  readonly amount: string;
  readonly creditor: string;
  readonly creditorAccount: string;
  readonly debtorAccount: string;
  readonly remittance: string;
  readonly paymentId: string;
  /** The code step: the code approves exactly this payment (dynamic linking, PSD2 RTS Art. 5). */
  readonly otpLinked: string;
  readonly once: string;
  readonly approve: string;
  readonly reject: string;
}

export const frPayment: PaymentMessages = {
  initiateTitle: 'Paiement à autoriser',
  cancelTitle: 'Annulation de paiement à autoriser',
  asksInitiate: (tpp) => `${tpp} vous demande d’autoriser ce paiement :`,
  asksCancel: (tpp) => `${tpp} vous demande d’autoriser l’annulation de ce paiement :`,
  amount: 'Montant',
  creditor: 'Bénéficiaire',
  creditorAccount: 'Compte du bénéficiaire',
  debtorAccount: 'Compte débité',
  remittance: 'Libellé',
  paymentId: 'Paiement à annuler',
  otpLinked: 'Votre code vaut accord pour cette opération, et seulement pour elle :',
  once: 'Cet accord vaut pour cette seule opération.',
  approve: 'Autoriser',
  reject: 'Refuser',
};

export const enPayment: PaymentMessages = {
  initiateTitle: 'Payment to approve',
  cancelTitle: 'Payment cancellation to approve',
  asksInitiate: (tpp) => `${tpp} asks you to approve this payment:`,
  asksCancel: (tpp) => `${tpp} asks you to approve cancelling this payment:`,
  amount: 'Amount',
  creditor: 'Payee',
  creditorAccount: 'Payee’s account',
  debtorAccount: 'Account debited',
  remittance: 'Reference',
  paymentId: 'Payment to cancel',
  otpLinked: 'Your code approves this operation, and only this one:',
  once: 'This approval is for this one operation only.',
  approve: 'Approve',
  reject: 'Reject',
};
