/*
 * Preload: `node --import @psd2/telemetry/register dist/main.js`.
 *
 * Under ES modules, OpenTelemetry can only patch pg, ioredis and grpc if the
 * import-in-the-middle loader hook is registered BEFORE those modules are imported; without it they
 * are silently not instrumented. The message channel limits the hook to the modules the
 * instrumentations asked for, instead of wrapping every module the app loads.
 */
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { createAddHookMessageChannel } from 'import-in-the-middle';

const disabled = ['true', '1'].includes((process.env.OTEL_SDK_DISABLED ?? '').toLowerCase());

if (isMainThread && !disabled) {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const { startTelemetry } = await import('./sdk.js');
  startTelemetry();
  await waitForAllMessagesAcknowledged();
}
