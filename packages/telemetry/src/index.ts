export {
  instruments,
  METER_NAME,
  meter,
  observeGauge,
  type Psd2Instruments,
  timeAsyncMethods,
} from './metrics.js';
export { shutdownTelemetry } from './sdk.js';
export { tracerOf } from './tracer.js';
