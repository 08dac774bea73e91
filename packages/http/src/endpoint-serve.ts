import type { Endpoint, RequestBasics } from './endpoint.js';
import type { EndpointCall } from './endpoint-call.js';
import { type EndpointResult, json } from './endpoint-result.js';
import { oauthErrorResponse } from './errors.js';

/**
 * The result a `page` endpoint answers for what its handler threw: an error page, or a redirect to
 * the client carrying the error (authorization's browserErrorHandler). It logs what it refuses and
 * sets `request.fields.error`, as oauthErrorResponse does for the API.
 */
export type PageErrorRenderer = (error: unknown, request: RequestBasics) => EndpointResult;

/** What an endpoint answers, its errors included: never throws for a request's failure. */
export async function resultOf(
  endpoint: Endpoint,
  call: EndpointCall,
  renderPageError: PageErrorRenderer | undefined,
): Promise<EndpointResult> {
  try {
    return await endpoint.serve(call);
  } catch (error) {
    if (endpoint.response === 'page' && renderPageError !== undefined) return renderPageError(error, call);
    const response = oauthErrorResponse(error, call);
    return json(response.body, { status: response.status, headers: response.headers });
  }
}
