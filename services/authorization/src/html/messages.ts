import { type ConsentsMessages, enConsents, frConsents } from './consents-messages.js';
import { enPayment, frPayment, type PaymentMessages } from './payment-messages.js';

/*
 * The French and English message catalogues. Both satisfy one interface, so a message missing in
 * either language is a compile error. French is the default (the bank's customers are in France).
 */

export const LANGUAGES = ['fr', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = 'fr';

export type PageErrorKind =
  | 'unknown_client'
  | 'suspended_client'
  | 'invalid_redirect_uri'
  | 'session_expired'
  | 'csrf'
  | 'not_found'
  | 'unavailable'
  | 'too_many_requests'
  | 'server'
  | 'bad_request'
  | 'request_uri'
  | 'payment_request'
  | 'payment_changed'
  | 'grant_not_found'
  | 'consents_session_expired'
  | 'consents_csrf';

export interface Messages {
  readonly bankName: string;
  readonly payment: PaymentMessages;
  readonly consents: ConsentsMessages;
  readonly sandboxBanner: string;
  readonly skipToContent: string;
  readonly tppHeading: string;
  readonly tppName: string;
  readonly organizationId: string;
  readonly nca: string;
  readonly asksAccess: (tpp: string) => string;
  readonly scopes: Readonly<Record<string, string>>;
  readonly duration: (days: number, until: string) => string;
  readonly grant: string;
  readonly deny: string;
  readonly cancel: string;
  readonly sandboxTitle: string;
  readonly sandboxIntro: string;
  readonly choosePsu: string;
  readonly noPsu: string;
  readonly signInTitle: string;
  readonly signInIntro: (tpp: string) => string;
  readonly customerId: string;
  readonly customerIdHint: string;
  readonly password: string;
  readonly continue: string;
  /** The one refusal of a sign-in: never which identifier or factor was wrong, nor whether it is locked. */
  readonly signInRefused: string;
  readonly otpTitle: string;
  readonly otpIntro: string;
  readonly otpCode: string;
  readonly otpHint: string;
  readonly verify: string;
  readonly consentTitle: string;
  readonly signedInAs: (name: string) => string;
  readonly sessionHint: string;
  readonly errorTitle: string;
  readonly errors: Readonly<Record<PageErrorKind, string>>;
  readonly reference: (id: string) => string;
  readonly formatDate: (date: Date) => string;
}

const fr: Messages = {
  bankName: 'Banque — accès des prestataires agréés',
  payment: frPayment,
  consents: frConsents,
  sandboxBanner: 'Bac à sable : aucun vrai compte ni vrai client. Les données sont fictives.',
  skipToContent: 'Aller au contenu',
  tppHeading: 'Le prestataire qui demande l’accès',
  tppName: 'Nom',
  organizationId: 'Identifiant d’agrément',
  nca: 'Autorité de contrôle',
  asksAccess: (tpp) => `${tpp} demande l’accès suivant :`,
  scopes: {
    aisp: 'Consulter la liste de vos comptes de paiement, leurs soldes et leurs opérations des 90 derniers jours.',
    extended_transaction_history:
      'Consulter l’historique complet de vos opérations, au-delà de 90 jours (une seule fois, sans renouvellement automatique).',
    cbpii:
      'Vérifier qu’un montant est disponible sur votre compte pour un paiement par carte (réponse oui ou non uniquement).',
  },
  duration: (days, until) => `Durée de l’autorisation : ${days} jours, jusqu’au ${until}.`,
  grant: 'Autoriser',
  deny: 'Refuser',
  cancel: 'Annuler et revenir au prestataire',
  sandboxTitle: 'Simuler l’accord d’un client',
  sandboxIntro:
    'Choisissez le client fictif au nom duquel vous répondez, puis autorisez ou refusez la demande.',
  choosePsu: 'Client fictif',
  noPsu: 'Choisissez un client fictif pour autoriser la demande.',
  signInTitle: 'Connexion à votre espace bancaire',
  signInIntro: (tpp) => `Identifiez-vous pour répondre à la demande de ${tpp}.`,
  customerId: 'Identifiant client',
  customerIdHint: 'L’identifiant qui figure sur votre contrat.',
  password: 'Mot de passe',
  continue: 'Continuer',
  signInRefused:
    'Identifiants incorrects ou accès temporairement bloqué. Vérifiez votre saisie, ou réessayez plus tard.',
  otpTitle: 'Code de sécurité',
  otpIntro: 'Saisissez le code à 6 chiffres affiché par votre application d’authentification.',
  otpCode: 'Code à 6 chiffres',
  otpHint: 'Le code change toutes les 30 secondes.',
  verify: 'Valider',
  consentTitle: 'Votre autorisation',
  signedInAs: (name) => `Connecté en tant que ${name}.`,
  sessionHint: 'Sans action de votre part pendant 5 minutes, la session expire.',
  errorTitle: 'La demande ne peut pas aboutir',
  errors: {
    unknown_client: 'Le prestataire qui vous a envoyé ici n’est pas reconnu. Aucune donnée n’a été partagée.',
    suspended_client:
      'La banque a suspendu l’accès du prestataire qui vous a envoyé ici. Aucune donnée n’a été partagée.',
    invalid_redirect_uri:
      'L’adresse de retour du prestataire n’est pas enregistrée. Par sécurité, vous n’y êtes pas renvoyé.',
    session_expired:
      'Votre session a expiré ou n’existe plus. Retournez chez le prestataire pour recommencer.',
    csrf: 'Le formulaire envoyé n’est pas valide. Retournez chez le prestataire pour recommencer.',
    not_found: 'Cette page n’existe pas.',
    unavailable: 'Le service est momentanément indisponible. Réessayez dans quelques instants.',
    too_many_requests: 'Trop de demandes en peu de temps. Patientez quelques minutes avant de réessayer.',
    server: 'Une erreur inattendue est survenue. Réessayez plus tard.',
    bad_request: 'La demande est mal formée.',
    request_uri:
      'Ce lien d’autorisation a expiré, a déjà servi ou n’est pas valide. Retournez chez le prestataire pour recommencer.',
    payment_request:
      'Ce paiement est inconnu ou n’est pas celui de ce prestataire. Aucun paiement n’a été autorisé.',
    payment_changed:
      'Le paiement a changé depuis votre authentification ou n’attend plus d’accord. Aucun paiement n’a été autorisé.',
    grant_not_found: 'Cette autorisation n’existe pas ou n’est plus active. Rien n’a été modifié.',
    consents_session_expired: 'Votre session a expiré ou n’existe plus. Rien n’a été modifié.',
    consents_csrf: 'Le formulaire envoyé n’est pas valide. Rien n’a été modifié.',
  },
  reference: (id) => `Référence à communiquer au support : ${id}`,
  formatDate: (date) =>
    new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(date),
};

const en: Messages = {
  bankName: 'Bank — access for authorised providers',
  payment: enPayment,
  consents: enConsents,
  sandboxBanner: 'Sandbox: no real account or customer. All data is fictitious.',
  skipToContent: 'Skip to content',
  tppHeading: 'The provider asking for access',
  tppName: 'Name',
  organizationId: 'Authorisation number',
  nca: 'Supervising authority',
  asksAccess: (tpp) => `${tpp} asks for the following access:`,
  scopes: {
    aisp: 'See the list of your payment accounts, their balances and their transactions of the last 90 days.',
    extended_transaction_history:
      'See the full history of your transactions, beyond 90 days (once, not renewed automatically).',
    cbpii: 'Check that an amount is available on your account for a card payment (a yes or no answer only).',
  },
  duration: (days, until) => `This access lasts ${days} days, until ${until}.`,
  grant: 'Allow',
  deny: 'Deny',
  cancel: 'Cancel and go back to the provider',
  sandboxTitle: 'Simulate a customer’s consent',
  sandboxIntro: 'Pick the fictitious customer you answer for, then allow or deny the request.',
  choosePsu: 'Fictitious customer',
  noPsu: 'Pick a fictitious customer to allow the request.',
  signInTitle: 'Sign in to your bank',
  signInIntro: (tpp) => `Sign in to answer the request from ${tpp}.`,
  customerId: 'Customer ID',
  customerIdHint: 'The identifier printed on your contract.',
  password: 'Password',
  continue: 'Continue',
  signInRefused:
    'Incorrect credentials, or access temporarily blocked. Check what you typed, or try again later.',
  otpTitle: 'Security code',
  otpIntro: 'Enter the 6-digit code shown by your authenticator app.',
  otpCode: '6-digit code',
  otpHint: 'The code changes every 30 seconds.',
  verify: 'Verify',
  consentTitle: 'Your consent',
  signedInAs: (name) => `Signed in as ${name}.`,
  sessionHint: 'After 5 minutes without activity, the session expires.',
  errorTitle: 'The request cannot be completed',
  errors: {
    unknown_client: 'The provider that sent you here is not recognised. No data has been shared.',
    suspended_client:
      'The bank has suspended the access of the provider that sent you here. No data has been shared.',
    invalid_redirect_uri:
      'The provider’s return address is not registered. For your safety, you are not sent there.',
    session_expired: 'Your session has expired or no longer exists. Go back to the provider to start again.',
    csrf: 'The form sent is not valid. Go back to the provider to start again.',
    not_found: 'This page does not exist.',
    unavailable: 'The service is temporarily unavailable. Please try again in a moment.',
    too_many_requests: 'Too many requests in a short time. Please wait a few minutes before trying again.',
    server: 'An unexpected error occurred. Please try again later.',
    bad_request: 'The request is malformed.',
    request_uri:
      'This authorisation link has expired, was used already or is not valid. Go back to the provider to start again.',
    payment_request: 'This payment is unknown or not this provider’s. No payment has been approved.',
    payment_changed:
      'The payment changed since you authenticated, or no longer awaits approval. No payment has been approved.',
    grant_not_found: 'This consent does not exist or is no longer active. Nothing was changed.',
    consents_session_expired: 'Your session has expired or no longer exists. Nothing was changed.',
    consents_csrf: 'The form sent is not valid. Nothing was changed.',
  },
  reference: (id) => `Reference for support: ${id}`,
  formatDate: (date) =>
    new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(date),
};

const CATALOGUES: Readonly<Record<Lang, Messages>> = { fr, en };

export function messagesFor(lang: Lang): Messages {
  return CATALOGUES[lang];
}

export function isLang(value: string): value is Lang {
  return (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The page language: the first supported tag of `ui_locales` (OpenID Connect Core §3.1.2.1, a
 * space-separated list of BCP 47 tags in order of preference), else the language of the path.
 */
export function pickLang(pathLang: Lang, uiLocales: string | undefined): Lang {
  for (const tag of (uiLocales ?? '').split(' ')) {
    const primary = tag.split('-')[0]?.toLowerCase() ?? '';
    if (isLang(primary)) return primary;
  }
  return pathLang;
}
