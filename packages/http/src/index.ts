export type { Express as HttpApp, Request, Response, Router } from 'express';
export { createHttpApp, type HttpAppOptions } from './app.js';
export { acceptBody, BODY_LIMITS, type BodyKind } from './body.js';
export { clientFault, oauthErrorHandler, oauthErrorResponse } from './errors.js';
export { type FormBody, formParam, noStore, requiredFormParam } from './form.js';
export {
  API_SECURITY_HEADERS,
  type FormEndpoint,
  type FormRequest,
  parseForm,
} from './form-endpoint.js';
export type { ReadinessCheck, ReadinessChecks } from './health.js';
export { beginRequestLog, type RequestLog, requestLogger } from './request-context.js';
export { type HttpService, runHttpService } from './run.js';
export {
  type RunningServer,
  SERVICE_MAX_HEADER_BYTES,
  type ServerOptions,
  startHttpServer,
} from './server.js';
export { traceRequest, traceRequests } from './tracing.js';
