/*
 * The words of the customer's consent page (issue 18), French and English: one interface, so a
 * message missing in either language is a compile error. Dates and times are the bank's: Europe/Paris.
 */

export interface ConsentsMessages {
  readonly title: string;
  readonly signInTitle: string;
  readonly signInIntro: string;
  readonly sandboxIntro: string;
  readonly signInAs: string;
  readonly intro: string;
  readonly none: string;
  readonly grantHeading: (tpp: string) => string;
  readonly organisation: string;
  readonly access: string;
  readonly grantedOn: string;
  readonly expiresOn: string;
  readonly lastUsed: string;
  readonly neverUsed: string;
  /** Access in plain words, by scope; a payment consent reads as its payment (paymentAccess). */
  readonly scopes: Readonly<Record<string, string>>;
  readonly paymentAccess: (amount: string, payee: string, cancel: boolean) => string;
  readonly withdraw: string;
  readonly withdrawLabel: (tpp: string) => string;
  readonly confirmTitle: string;
  readonly confirmIntro: (tpp: string) => string;
  readonly confirmEffect: string;
  readonly confirmWithdraw: string;
  readonly keep: string;
  readonly withdrawn: (tpp: string) => string;
  readonly signOut: string;
  readonly signedOutTitle: string;
  readonly signedOut: string;
  readonly signInAgain: string;
  readonly backToList: string;
  readonly formatDateTime: (date: Date) => string;
}

const PARIS = 'Europe/Paris';

export const frConsents: ConsentsMessages = {
  title: 'Vos autorisations d’accès',
  signInTitle: 'Connexion pour gérer vos autorisations',
  signInIntro: 'Identifiez-vous pour voir les prestataires qui accèdent à vos comptes et retirer leur accès.',
  sandboxIntro: 'Choisissez le client fictif dont vous voulez gérer les autorisations.',
  signInAs: 'Continuer',
  intro:
    'Ces prestataires agréés peuvent accéder à vos comptes avec votre accord. Vous pouvez retirer un accès à tout moment : il cesse immédiatement.',
  none: 'Aucun prestataire n’a d’accès actif à vos comptes.',
  grantHeading: (tpp) => tpp,
  organisation: 'Société',
  access: 'Accès',
  grantedOn: 'Accordé le',
  expiresOn: 'Expire le',
  lastUsed: 'Dernière utilisation',
  neverUsed: 'Jamais utilisé',
  scopes: {
    aisp: 'Consulter les soldes et les opérations de vos comptes',
    extended_transaction_history: 'Consulter vos opérations au-delà de 90 jours',
    cbpii: 'Confirmer qu’un montant est disponible sur votre compte',
    pisp: 'Initier des paiements depuis votre compte',
  },
  paymentAccess: (amount, payee, cancel) =>
    cancel ? `Annuler un paiement de ${amount} à ${payee}` : `Autoriser un paiement de ${amount} à ${payee}`,
  withdraw: 'Retirer l’accès',
  withdrawLabel: (tpp) => `Retirer l’accès de ${tpp}`,
  confirmTitle: 'Retirer cet accès ?',
  confirmIntro: (tpp) => `Vous allez retirer l’accès de ${tpp} à vos comptes :`,
  confirmEffect:
    'Le prestataire perd cet accès immédiatement. Pour le lui rendre, il devra vous demander une nouvelle autorisation.',
  confirmWithdraw: 'Confirmer le retrait',
  keep: 'Annuler et garder l’accès',
  withdrawn: (tpp) => `L’accès de ${tpp} a été retiré. Il a cessé immédiatement.`,
  signOut: 'Se déconnecter',
  signedOutTitle: 'Vous êtes déconnecté',
  signedOut: 'Votre session est terminée.',
  signInAgain: 'Se reconnecter pour gérer vos autorisations',
  backToList: 'Revenir à vos autorisations',
  formatDateTime: (date) =>
    new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: PARIS }).format(date),
};

export const enConsents: ConsentsMessages = {
  title: 'Your access consents',
  signInTitle: 'Sign in to manage your consents',
  signInIntro: 'Sign in to see which providers can access your accounts and to withdraw their access.',
  sandboxIntro: 'Pick the fictitious customer whose consents you want to manage.',
  signInAs: 'Continue',
  intro:
    'These authorised providers can access your accounts with your consent. You can withdraw an access at any time: it stops at once.',
  none: 'No provider has active access to your accounts.',
  grantHeading: (tpp) => tpp,
  organisation: 'Company',
  access: 'Access',
  grantedOn: 'Granted on',
  expiresOn: 'Expires on',
  lastUsed: 'Last used',
  neverUsed: 'Never used',
  scopes: {
    aisp: 'Read your accounts’ balances and transactions',
    extended_transaction_history: 'Read your transactions beyond 90 days',
    cbpii: 'Confirm funds are available on your account',
    pisp: 'Initiate payments from your account',
  },
  paymentAccess: (amount, payee, cancel) =>
    cancel ? `Cancel one payment of ${amount} to ${payee}` : `Approve one payment of ${amount} to ${payee}`,
  withdraw: 'Withdraw access',
  withdrawLabel: (tpp) => `Withdraw the access of ${tpp}`,
  confirmTitle: 'Withdraw this access?',
  confirmIntro: (tpp) => `You are about to withdraw the access of ${tpp} to your accounts:`,
  confirmEffect:
    'The provider loses this access at once. To get it back, it will have to ask for your consent again.',
  confirmWithdraw: 'Confirm withdrawal',
  keep: 'Cancel and keep the access',
  withdrawn: (tpp) => `The access of ${tpp} has been withdrawn. It stopped at once.`,
  signOut: 'Sign out',
  signedOutTitle: 'You are signed out',
  signedOut: 'Your session has ended.',
  signInAgain: 'Sign in again to manage your consents',
  backToList: 'Back to your consents',
  formatDateTime: (date) =>
    new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: PARIS }).format(date),
};
