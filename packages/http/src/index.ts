export type { Express as HttpApp, Request, Response, Router } from 'express';
export { createHttpApp, type HttpAppOptions } from './app.js';
export { acceptBody, type BodyKind } from './body.js';
export { oauthErrorHandler } from './errors.js';
export type { ReadinessCheck, ReadinessChecks } from './health.js';
export { requestLogger } from './request-context.js';
export { type HttpService, runHttpService } from './run.js';
export { type RunningServer, type ServerOptions, startHttpServer } from './server.js';
export { traceRequests } from './tracing.js';
