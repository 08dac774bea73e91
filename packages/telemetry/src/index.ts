export { shutdownTelemetry } from './sdk.js';
