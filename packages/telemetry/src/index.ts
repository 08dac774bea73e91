export {
  instruments,
  METER_NAME,
  meter,
  observeGauge,
  type Psd2Instruments,
  timeAsyncMethods,
  timeClientRegistryCalls,
  timeTokenStoreOperations,
} from './metrics.js';
export { shutdownTelemetry } from './sdk.js';
export { tracerOf } from './tracer.js';
