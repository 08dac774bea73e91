import type { X509Certificate } from 'node:crypto';
import { DEFAULT_FETCH_LIMITS, type FetchLimits, readListSource } from './trusted-list-fetch.js';
import { type NationalListPointer, nationalListPointers } from './trusted-list-lotl.js';
import { parseTrustedList, type TrustedList } from './trusted-list-parse.js';
import { selectWebsiteAuthenticationCas, type TrustedCa } from './trusted-list-select.js';
import { verifyListSignature } from './trusted-list-signature.js';
import { TrustedListRefused } from './trusted-list-xml.js';

/*
 * From a trusted list, or from the EU list of lists and the national lists it names, to the QWAC CAs.
 * Every list is verified before it is read; one national list that fails fails the whole collection, so
 * that a bundle never silently loses a country.
 */

export type ListSource = { readonly tsl: string } | { readonly lotl: string };

export interface CollectRequest {
  readonly source: ListSource;
  /** The configured signers: of the trusted list itself, or of the list of lists. */
  readonly signers: readonly X509Certificate[];
  /** With a list of lists: only these territories (upper case codes). */
  readonly territories?: ReadonlySet<string> | undefined;
  readonly now?: Date;
  readonly limits?: FetchLimits;
  /** How many national lists are fetched at once. */
  readonly concurrency?: number;
}

export interface CollectedCas {
  readonly cas: readonly TrustedCa[];
  readonly warnings: readonly string[];
}

export async function collectTrustedCas(request: CollectRequest): Promise<CollectedCas> {
  const now = request.now ?? new Date();
  const limits = request.limits ?? DEFAULT_FETCH_LIMITS;
  if ('tsl' in request.source) {
    const list = await loadVerifiedList(request.source.tsl, request.signers, now, limits);
    return selectWebsiteAuthenticationCas(list, now);
  }
  const lotl = await loadVerifiedList(request.source.lotl, request.signers, now, limits);
  if (!lotl.tslType.toLowerCase().endsWith('listofthelists')) {
    throw new TrustedListRefused(`${request.source.lotl} is not a list of lists (TSLType ${lotl.tslType})`);
  }
  const pointers = nationalListPointers(lotl, request.territories);
  if (pointers.length === 0) throw new TrustedListRefused('the list of lists points to no national XML list');
  const outcomes = await mapConcurrently(pointers, request.concurrency ?? 4, (pointer) =>
    loadNationalList(pointer, now, limits),
  );
  const failures = outcomes.filter((outcome): outcome is string => typeof outcome === 'string');
  if (failures.length > 0) {
    throw new TrustedListRefused(
      `${failures.length} of ${pointers.length} national lists failed:\n  ${failures.join('\n  ')}`,
    );
  }
  const selections = outcomes.filter((outcome) => typeof outcome !== 'string');
  return {
    cas: selections.flatMap((selection) => selection.cas),
    warnings: selections.flatMap((selection) => selection.warnings),
  };
}

/** Read, verify, then parse the signed content only; a list past its NextUpdate (or closed) is refused. */
export async function loadVerifiedList(
  source: string,
  signers: readonly X509Certificate[],
  now: Date,
  limits: FetchLimits,
): Promise<TrustedList> {
  const xml = await readListSource(source, limits);
  const verified = verifyListSignature(xml, signers, source, now);
  const list = parseTrustedList(verified.signedXml, source);
  if (list.nextUpdate === undefined) throw new TrustedListRefused(`${source} is closed (no NextUpdate date)`);
  if (list.nextUpdate <= now) {
    throw new TrustedListRefused(
      `${source} is out of date: its NextUpdate ${list.nextUpdate.toISOString()} is past`,
    );
  }
  return list;
}

async function loadNationalList(pointer: NationalListPointer, now: Date, limits: FetchLimits) {
  try {
    const list = await loadVerifiedList(pointer.location, pointer.signers, now, limits);
    if (list.territory.toUpperCase() !== pointer.territory) {
      throw new TrustedListRefused(`its SchemeTerritory is ${list.territory}, not ${pointer.territory}`);
    }
    return selectWebsiteAuthenticationCas(list, now);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `${pointer.territory} ${pointer.location}: ${reason}`;
  }
}

async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
