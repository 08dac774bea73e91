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
export { armHardExit, DRAIN_BUDGET_MS, settleWithin, TELEMETRY_FLUSH_BUDGET_MS } from './shutdown.js';
export { recordPsuSignIn, type SignInOutcome } from './sign-in-metrics.js';
export { tracerOf } from './tracer.js';
