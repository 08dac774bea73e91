import { describe, expect, it } from '@jest/globals';
import type { HttpResult } from '@psd2/testing';
import { type GrantRecord, generateGrantId, generateOpaqueToken } from '@psd2/token-store';
import { type BankPages, bankSuite, otherThan } from './bank.test-support.js';
import { csrfToken, sessionCookie } from './test-support.js';

/*
 * The customer's consent page in bank mode, through the edge, against Redis and PostgreSQL: the SCA
 * sign-in (the authorization request's steps), the list of the customer's own grants, the withdrawal
 * (confirmation, CSRF, the grant's tokens inactive at once), the not-found page for any grant that is
 * not the customer's, sessions that never cross between the consent page and an authorization.
 */

const suite = bankSuite('authz-consents', {}, [
  'psu-cons-list',
  'psu-cons-other',
  'psu-cons-en',
  'psu-cons-refused',
]);
const now = () => Math.floor(Date.now() / 1000);
const FR = '/oauth2/fr/banque/autorisations';
const EN = '/oauth2/en/banque/autorisations';

interface Signed {
  cookie: string;
  csrf: string;
}

function consentsCookie(result: HttpResult): string | undefined {
  return result.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith('__Host-psd2-consents=') && !cookie.includes('Max-Age=0'))
    ?.split(';')[0];
}

async function openSignIn(pages: BankPages, base = FR): Promise<Signed> {
  const page = await pages.fetch(base);
  expect(page.status).toBe(200);
  expect(page.text).toContain('name="customer_id"');
  const cookie = consentsCookie(page);
  if (cookie === undefined) throw new Error('no consent page cookie');
  return { cookie, csrf: csrfToken(page.text) };
}

async function signIn(pages: BankPages, psuId: string, base = FR): Promise<Signed> {
  const opened = await openSignIn(pages, base);
  const first = await pages.post(opened, `${base}/connexion`, {
    customer_id: psuId,
    password: `pw-${psuId}-ok`,
  });
  expect(first.status).toBe(303);
  expect(first.headers.get('location')).toBe(`${base}/code`);
  const second = await pages.post(opened, `${base}/code`, { otp: suite.bank.codeOf(psuId) });
  expect(second.status).toBe(303);
  expect(second.headers.get('location')).toBe(base);
  const cookie = consentsCookie(second);
  expect(cookie).toBeDefined();
  expect(cookie).not.toBe(opened.cookie);
  return { cookie: cookie ?? '', csrf: opened.csrf };
}

async function plantGrant(subject: string, scope = 'aisp'): Promise<{ grant: GrantRecord; access: string }> {
  const { client } = suite.bank;
  const grant: GrantRecord = {
    grantId: generateGrantId(),
    clientId: client.clientId,
    organizationId: client.organizationId,
    subject,
    scope,
    authTime: now() - 60,
    createdAt: now() - 60,
    expiresAt: now() + 180 * 24 * 3600,
  };
  await suite.bank.store.createGrant(grant);
  const access = generateOpaqueToken();
  await suite.bank.store.saveAccessToken(access, {
    clientId: client.clientId,
    organizationId: client.organizationId,
    scope,
    subject,
    grantId: grant.grantId,
    issuedAt: now(),
    expiresAt: now() + 3600,
    certificateThumbprint: client.registeredCertificateThumbprint,
  });
  return { grant, access };
}

const get = (signed: Signed, path: string) => suite.pages.fetch(path, { headers: { cookie: signed.cookie } });

function expectPage(result: HttpResult, status: number): void {
  expect(result.status).toBe(status);
  expect(result.headers.get('content-type')).toMatch(/^text\/html/);
  expect(result.text).not.toMatch(/at .*\.js:\d+/);
}

describe('the consent page in bank mode', () => {
  it('asks for the SCA sign-in, in a session of its own, and nothing else without it', async () => {
    const opened = await openSignIn(suite.pages);
    // No authorization session is opened by the consent page.
    expect(sessionCookie(await suite.pages.fetch(FR))).toBeUndefined();
    // The sandbox's picker does not exist in bank mode.
    expectPage(await suite.pages.post(opened, `${FR}/simulation`, { psu: 'psu-cons-list' }), 404);
    // Without a signed-in session, a withdrawal's pages lead to the sign-in, and a post changes nothing.
    const { grant } = await plantGrant('psu-cons-list');
    const confirm = await get(opened, `${FR}/retrait?grant_id=${grant.grantId}`);
    expect(confirm.status).toBe(303);
    expect(confirm.headers.get('location')).toBe(FR);
    expect((await suite.pages.post(opened, `${FR}/retrait`, { grant_id: grant.grantId })).status).toBe(303);
    expect(await suite.bank.store.findGrant(grant.grantId)).toEqual(grant);
  });

  it("lists the customer's own grants with the TPP and its last use, and withdraws one", async () => {
    const kept = await plantGrant('psu-cons-list', 'cbpii');
    const withdrawn = await plantGrant('psu-cons-list');
    const foreign = await plantGrant('psu-cons-other');
    await suite.bank.store.recordGrantUse(kept.grant.grantId, now());
    const signed = await signIn(suite.pages, 'psu-cons-list');

    const list = await get(signed, FR);
    expectPage(list, 200);
    expect(list.text).toContain('<html lang="fr">');
    expect(list.text).toContain(suite.bank.client.metadata.clientName ?? 'no name');
    expect(list.text).toContain(suite.bank.client.organizationId);
    expect(list.text).toContain('Consulter les soldes et les opérations de vos comptes');
    expect(list.text).toContain('Confirmer qu’un montant est disponible sur votre compte');
    expect(list.text).toContain('Jamais utilisé');
    expect(list.text).toContain(kept.grant.grantId);
    expect(list.text).not.toContain(foreign.grant.grantId);

    const confirm = await get(signed, `${FR}/retrait?grant_id=${withdrawn.grant.grantId}`);
    expectPage(confirm, 200);
    expect(confirm.text).toContain('Confirmer le retrait');
    // The confirmation alone changes nothing.
    expect(await suite.bank.store.findGrant(withdrawn.grant.grantId)).toEqual(withdrawn.grant);

    // Without the session's CSRF token: refused, nothing changed.
    const forged = await suite.pages.post({ ...signed, csrf: 'forged' }, `${FR}/retrait`, {
      grant_id: withdrawn.grant.grantId,
    });
    expectPage(forged, 403);
    expect(await suite.bank.store.findGrant(withdrawn.grant.grantId)).toEqual(withdrawn.grant);

    const done = await suite.pages.post(signed, `${FR}/retrait`, { grant_id: withdrawn.grant.grantId });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(FR);
    expect(await suite.bank.store.findGrant(withdrawn.grant.grantId)).toBeUndefined();
    expect(await suite.bank.store.findAccessToken(withdrawn.access)).toBeUndefined();
    expect(await suite.bank.store.findAccessToken(kept.access)).toBeDefined();

    const after = await get(signed, FR);
    expect(after.text).toMatch(/<div role="status"><p class="notice">L’accès de .* a été retiré/);
    expect(after.text).not.toContain(withdrawn.grant.grantId);
    // The status message is shown once.
    expect((await get(signed, FR)).text).not.toContain('class="notice"');

    // Sign-out ends the session: the list asks for the sign-in again.
    const out = await suite.pages.post(signed, `${FR}/deconnexion`, {});
    expectPage(out, 200);
    expect(out.headers.getSetCookie().join()).toContain('__Host-psd2-consents=; Path=/; Max-Age=0');
    expect((await get(signed, FR)).text).toContain('name="customer_id"');
  });

  it("answers another customer's grant, an unknown id and hostile input with the not-found page, changing nothing", async () => {
    const foreign = await plantGrant('psu-cons-refused');
    const signed = await signIn(suite.pages, 'psu-cons-other');
    // As the query carries them: already encoded, some undecodable, one repeated.
    const queries = [
      `grant_id=${foreign.grant.grantId}`,
      `grant_id=${generateGrantId()}`,
      'grant_id=%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      `grant_id=${'x'.repeat(600)}`,
      'grant_id=%00',
      'grant_id=%u0041',
      'grant_id=%E0%A4%A',
      `grant_id=${foreign.grant.grantId}&grant_id=${foreign.grant.grantId}`,
      '',
    ];
    for (const query of queries) {
      const confirm = await get(signed, `${FR}/retrait?${query}`);
      expectPage(confirm, 404);
      expect(confirm.text).toContain('Cette autorisation n’existe pas ou n’est plus active');
      expect(confirm.text).not.toContain('<script>');
    }
    for (const grantId of [
      foreign.grant.grantId,
      generateGrantId(),
      '<script>',
      'x'.repeat(600),
      '\u0000',
      '',
    ]) {
      expectPage(await suite.pages.post(signed, `${FR}/retrait`, { grant_id: grantId }), 404);
    }
    expectPage(await suite.pages.post(signed, `${FR}/retrait`, {}), 404);
    expect(await suite.bank.store.findGrant(foreign.grant.grantId)).toEqual(foreign.grant);
    expect(await suite.bank.store.findAccessToken(foreign.access)).toBeDefined();
  });

  it('speaks English, refuses a failed sign-in with the one answer, and never crosses sessions with an authorization', async () => {
    const opened = await openSignIn(suite.pages, EN);
    expect((await suite.pages.fetch(EN, { headers: { cookie: opened.cookie } })).text).toContain(
      '<html lang="en">',
    );
    await suite.pages.post(opened, `${EN}/connexion`, { customer_id: 'psu-cons-en', password: 'wrong' });
    const refused = await suite.pages.post(opened, `${EN}/code`, {
      otp: otherThan(suite.bank.codeOf('psu-cons-en')),
    });
    expectPage(refused, 401);
    expect(refused.text).toContain('Incorrect credentials, or access temporarily blocked');
    expect((await suite.pages.signIn(await suite.pages.open(), 'x', 'y')).status).toBe(303);

    const signed = await signIn(suite.pages, 'psu-cons-en', EN);
    const list = await get(signed, EN);
    expect(list.text).toContain('Your access consents');
    // The consent page's session presented as an authorization's is no session there, and the reverse.
    const asAuthorization = signed.cookie.replace('__Host-psd2-consents=', '__Host-psd2-authz=');
    const consentStep = await suite.pages.fetch('/oauth2/en/banque/consent', {
      headers: { cookie: asAuthorization },
    });
    expectPage(consentStep, 400);
    const flow = await suite.pages.open('en');
    const asConsents = flow.cookie.replace('__Host-psd2-authz=', '__Host-psd2-consents=');
    expect((await suite.pages.fetch(EN, { headers: { cookie: asConsents } })).text).toContain(
      'name="customer_id"',
    );
  });
});
