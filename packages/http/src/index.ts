export type { Express as HttpApp, Request, Response, Router } from 'express';
export { createHttpApp, type HttpAppOptions } from './app.js';
export { acceptBody, BODY_LIMITS, type BodyKind } from './body.js';
export { isEdgeConnection, markEdgeConnection } from './edge-connection.js';
export {
  type BodyMediaType,
  type CallerCheck,
  defineEndpoint,
  type Endpoint,
  type EndpointContext,
  type EndpointSpec,
  FORM_POST,
  type HttpMethod,
  type RequestBasics,
} from './endpoint.js';
export {
  type FormFields,
  formSchema,
  type InputFailure,
  type InputPart,
  type InputRefusal,
  invalidRequest,
  parseInput,
} from './endpoint-input.js';
export {
  type EmptyResult,
  type EndpointResult,
  empty,
  type JsonResult,
  json,
  type PageResult,
  page,
  type RedirectResult,
  type ResponseKind,
  type ResultHeaders,
  redirect,
  type TextResult,
  text,
  writeResult,
} from './endpoint-result.js';
export type { PageErrorRenderer } from './endpoint-serve.js';
export { clientFault, oauthErrorHandler, oauthErrorResponse } from './errors.js';
export type { FormBody } from './form.js';
export { parseForm } from './form-endpoint.js';
export type { ReadinessCheck, ReadinessChecks } from './health.js';
export { edgeListenerSettings } from './listener-settings.js';
export { beginRequestLog, type RequestLog, requestLogger } from './request-context.js';
export { type HttpService, runHttpService } from './run.js';
export { API_SECURITY_HEADERS } from './security-headers.js';
export {
  type RunningServer,
  SERVICE_MAX_HEADER_BYTES,
  type ServerOptions,
  startHttpServer,
} from './server.js';
export { type EdgeTls, type EdgeTlsSettings, loadEdgeTls } from './service-tls.js';
export { traceRequest, traceRequests } from './tracing.js';
