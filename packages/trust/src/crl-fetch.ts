/*
 * Fetching one CRL over plain HTTP. RFC 5280 §4.2.1.13 CDPs are http: on purpose: a CRL is signed,
 * so TLS adds nothing but a dependency on another PKI (and a loop when that PKI's CRL is the one
 * being fetched). Other schemes are refused, including in a redirect. Every fetch is bounded in
 * time (the whole exchange, body included) and in size (a big QTSP's CRL runs to megabytes).
 */

export type Fetch = typeof globalThis.fetch;

export interface FetchLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

const MAX_REDIRECTS = 3;

export class CrlFetchError extends Error {}

function httpUrl(text: string, base?: string): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new CrlFetchError('is not a URL');
  }
  if (url.protocol !== 'http:') throw new CrlFetchError(`uses ${url.protocol} (only http: is fetched)`);
  return url;
}

async function readBounded(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw new CrlFetchError(`declares ${declared} bytes, over the ${maxBytes} cap`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (reader === undefined) return Buffer.alloc(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new CrlFetchError(`is over the ${maxBytes} byte cap`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

async function fetchWithin(url: string, limits: FetchLimits, fetch: Fetch, signal: AbortSignal) {
  let target = httpUrl(url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    const response = await fetch(target, { redirect: 'manual', signal });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      target = httpUrl(location, target.href);
      continue;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new CrlFetchError(`answered HTTP ${response.status}`);
    }
    return readBounded(response, limits.maxBytes);
  }
  throw new CrlFetchError(`redirected more than ${MAX_REDIRECTS} times`);
}

/** The body of `url`, DER or PEM as served; throws CrlFetchError with a one-line reason. */
export async function fetchCrlBytes(url: string, limits: FetchLimits, fetch: Fetch): Promise<Buffer> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    return await fetchWithin(url, limits, fetch, signal);
  } catch (error) {
    if (error instanceof CrlFetchError) throw error;
    if (signal.aborted) throw new CrlFetchError(`did not answer within ${limits.timeoutMs} ms`);
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const reason = [cause?.code, cause?.message, (error as Error).message].find((x) => typeof x === 'string');
    throw new CrlFetchError(`is unreachable (${String(reason)})`);
  }
}
