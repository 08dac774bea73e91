import {
  type DistributionPointMap,
  distributionPointsOf,
  type TrustedCa,
  trustedCas,
} from './crl-authorities.js';
import { crlProblem, isIssuedBy, isNewer, type ParsedCrl, parseCrl, sameCrl } from './crl-check.js';
import { type Fetch, type FetchLimits, fetchCrlBytes } from './crl-fetch.js';

/*
 * One refresh of the CRL bundle the edge reads: for every trusted CA, the newest acceptable CRL from
 * its distribution points, else the one already in force. Pure apart from the fetches: reading and
 * writing the bundle is bundle-file.ts's (or crl-kubernetes-secret.ts's) job.
 *
 * Outcomes per CA:
 *   refreshed      a newer CRL was fetched and checked; it replaces the one in force
 *   current        the distribution point serves the CRL already in force
 *   kept           no acceptable CRL fetched; the one in force is kept, still before its nextUpdate
 *   stale          the same, past its nextUpdate but within the grace: kept in the file, where the
 *                  edge already refuses the CA's clients (OpenSSL CRL_HAS_EXPIRED); a warning
 *   failed-closed  the same beyond the grace, or no CRL at all: the job fails (exit 1); a stale CRL
 *                  stays in the file so the edge keeps refusing, never falls back to no check
 */

export type CaOutcome = 'refreshed' | 'current' | 'kept' | 'stale' | 'failed-closed';

export interface CaRefresh {
  readonly ca: TrustedCa;
  readonly outcome: CaOutcome;
  /** The CRL the bundle holds for this CA after the run (none only when failed closed without one). */
  readonly crl?: ParsedCrl;
  /** Where that CRL came from: the URL it was fetched from this run, or `previous bundle`. */
  readonly source?: string;
  /** One line per URL that did not give an acceptable CRL, or why none was tried. */
  readonly problems: readonly string[];
}

export interface RefreshOptions {
  readonly caBundlePem: string;
  /** The bundle in force (the output file's current content), '' when there is none. */
  readonly previousBundlePem: string;
  readonly now: Date;
  readonly fetch: Fetch;
  readonly graceSeconds: number;
  readonly limits: FetchLimits;
  readonly distributionPoints: DistributionPointMap;
  /** CAs fetched at the same time; a few hundred EU QTSP CAs one by one would outlast the job. */
  readonly concurrency?: number;
}

export interface RefreshResult {
  readonly cas: readonly CaRefresh[];
  /** The new bundle: one PEM CRL per CA that has one, in the CA bundle's order. */
  readonly bundlePem: string;
}

const PEM_CRL = /-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g;
export const PREVIOUS_BUNDLE = 'previous bundle';

/** The CRLs of the bundle in force, each assigned to the CA that issued and signed it (newest wins). */
function crlsInForce(previousPem: string, cas: readonly TrustedCa[]): Map<TrustedCa, ParsedCrl> {
  const inForce = new Map<TrustedCa, ParsedCrl>();
  for (const block of previousPem.match(PEM_CRL) ?? []) {
    let crl: ParsedCrl;
    try {
      crl = parseCrl(Buffer.from(block, 'latin1'));
    } catch {
      continue;
    }
    for (const ca of cas) {
      if (!isIssuedBy(crl, ca)) continue;
      const known = inForce.get(ca);
      if (known === undefined || isNewer(crl, known)) inForce.set(ca, crl);
    }
  }
  return inForce;
}

async function fetchNewest(
  ca: TrustedCa,
  urls: readonly string[],
  previous: ParsedCrl | undefined,
  options: RefreshOptions,
): Promise<{ crl?: ParsedCrl; source?: string; problems: string[] }> {
  const problems: string[] = [];
  for (const url of urls) {
    try {
      const crl = parseCrl(await fetchCrlBytes(url, options.limits, options.fetch));
      const problem = crlProblem(crl, ca, options.now);
      if (problem !== undefined) throw new Error(problem);
      if (previous !== undefined && !sameCrl(crl, previous) && !isNewer(crl, previous)) {
        throw new Error(
          `is not newer than the CRL in force (thisUpdate ${crl.thisUpdate.toISOString()} ≤ ${previous.thisUpdate.toISOString()})`,
        );
      }
      return { crl, source: url, problems };
    } catch (error) {
      problems.push(`${url} ${(error as Error).message}`);
    }
  }
  if (urls.length === 0) problems.push('no CRL distribution point (configure one for its SKI or subject)');
  return { problems };
}

function withoutFreshCrl(
  ca: TrustedCa,
  previous: ParsedCrl | undefined,
  problems: string[],
  options: RefreshOptions,
): CaRefresh {
  if (previous === undefined) return { ca, outcome: 'failed-closed', problems };
  const nextUpdate = previous.nextUpdate?.getTime() ?? 0;
  const now = options.now.getTime();
  const outcome: CaOutcome =
    now <= nextUpdate ? 'kept' : now <= nextUpdate + options.graceSeconds * 1000 ? 'stale' : 'failed-closed';
  return { ca, outcome, crl: previous, source: PREVIOUS_BUNDLE, problems };
}

async function refreshOne(
  ca: TrustedCa,
  cas: readonly TrustedCa[],
  previous: ParsedCrl | undefined,
  options: RefreshOptions,
): Promise<CaRefresh> {
  const urls = distributionPointsOf(ca, cas, options.distributionPoints);
  const fetched = await fetchNewest(ca, urls, previous, options);
  if (fetched.crl === undefined) return withoutFreshCrl(ca, previous, fetched.problems, options);
  const current = previous !== undefined && sameCrl(fetched.crl, previous);
  return {
    ca,
    outcome: current ? 'current' : 'refreshed',
    crl: fetched.crl,
    ...(fetched.source === undefined ? {} : { source: fetched.source }),
    problems: fetched.problems,
  };
}

async function inPool<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

export function pemOfCrl(crl: ParsedCrl): string {
  const lines = crl.der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN X509 CRL-----\n${lines.join('\n')}\n-----END X509 CRL-----\n`;
}

/** Refreshes every CA's CRL; throws only when the CA bundle itself is unusable. */
export async function refreshCrls(options: RefreshOptions): Promise<RefreshResult> {
  let cas: TrustedCa[];
  try {
    cas = trustedCas(options.caBundlePem);
  } catch (error) {
    throw new Error(`the CA bundle ${(error as Error).message}`);
  }
  const inForce = crlsInForce(options.previousBundlePem, cas);
  const results = await inPool(cas, options.concurrency ?? 8, (ca) =>
    refreshOne(ca, cas, inForce.get(ca), options),
  );
  // A Set keeps the first of equal CRLs: a bundle listing a CA twice must not list its CRL twice.
  const pems = new Set(results.flatMap((result) => (result.crl === undefined ? [] : [pemOfCrl(result.crl)])));
  return { cas: results, bundlePem: [...pems].join('') };
}
