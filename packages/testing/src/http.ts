import type { fetch as undiciFetch } from 'undici';
import type { HttpResult } from './system.js';

/* HTTP helpers of the system harness: waiting for a service, and a response as tests read it. */

const START_TIMEOUT_MS = 30_000;

/** Polls `url` until it answers 2xx (a service's /healthz), or throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not up yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export async function toResult(response: Awaited<ReturnType<typeof undiciFetch>>): Promise<HttpResult> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers as unknown as Headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}
