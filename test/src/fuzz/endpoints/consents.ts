import fc from 'fast-check';
import { anyText, bodyEncoding, formEncoder } from '../hostile.js';
import { live } from '../request.js';
import {
  extraHeaders,
  type FuzzEndpoint,
  formBody,
  hostileValue,
  lang,
  method,
  params,
  request,
  segment,
} from './common.js';

/*
 * The customer's consent page (issue 18) as a stranger reaches it: no signed-in session (none, a
 * made-up one, an authorization's session under the consent page's cookie name), guessed or hostile
 * grant ids, junk forms. Every answer is a documented page: the sign-in, a redirect to it, the
 * not-found or expired-session page; never a 5xx, never a withdrawal.
 */

const grantId = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{22}$/) },
  { weight: 1, arbitrary: hostileValue },
);

const route = fc.oneof(
  fc.constant({ verb: 'GET', tail: '' }),
  fc.constant({ verb: 'GET', tail: '/code' }),
  fc
    .constantFrom('/connexion', '/code', '/simulation', '/deconnexion')
    .map((tail) => ({ verb: 'POST', tail })),
  fc.constantFrom('GET', 'POST').map((verb) => ({ verb, tail: '/retrait' })),
  // Paths under the page that do not exist, some undecodable.
  segment(fc.constant('retrait')).map((tail) => ({ verb: 'GET', tail: `/${tail}/retrait` })),
);

const cookie = fc.oneof(
  { weight: 2, arbitrary: fc.constant([] as const) },
  { weight: 2, arbitrary: hostileValue.map((v) => [['cookie', `__Host-psd2-consents=${v}`]] as const) },
  // An authorization's live session presented as the consent page's: never a session there.
  { weight: 1, arbitrary: fc.constant([['cookie', `__Host-psd2-consents=${live('session')}`]] as const) },
);

const fields = params([
  ['csrf_token', fc.oneof(fc.constant(live('csrf')), fc.stringMatching(/^[A-Za-z0-9_-]{0,43}$/))],
  ['customer_id', fc.oneof(fc.constantFrom('psu-alice', 'psu-nobody'), anyText)],
  ['password', anyText],
  ['otp', fc.stringMatching(/^[0-9]{0,8}$/)],
  ['psu', fc.constantFrom('psu-alice', 'psu-nobody', '')],
  ['grant_id', grantId],
]);

export const consentsPageEndpoint: FuzzEndpoint = {
  name: 'customer-consents',
  pools: {},
  requests: fc
    .record({
      lang,
      route,
      cookie,
      extra: extraHeaders,
      body: formBody(fields),
      query: params([['grant_id', grantId]]),
      queryEncoding: formEncoder,
      bodyEncoding,
    })
    .chain(({ route: r, ...rest }) => method(r.verb).map((m) => ({ ...rest, route: r, method: m })))
    .map(({ lang: l, route: r, cookie: c, body, query, queryEncoding, ...rest }) =>
      request({
        ...rest,
        path: `/oauth2/${l}/banque/autorisations${r.tail}`,
        ...(r.verb === 'GET' && r.tail === '/retrait' ? { query, queryEncoding } : {}),
        headers: c,
        ...(r.verb === 'POST' ? { body } : {}),
        certificate: undefined,
        subject: { kind: 'none' },
      }),
    ),
};
