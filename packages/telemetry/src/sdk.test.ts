import { describe, expect, it } from '@jest/globals';
import { isExportConfigured, serviceName } from './sdk.js';

describe('telemetry settings', () => {
  it('exports only when an OTLP endpoint is named', () => {
    expect(isExportConfigured({})).toBe(false);
    expect(isExportConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false);
    expect(isExportConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(
      isExportConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }),
    ).toBe(true);
  });

  it('names the service after OTEL_SERVICE_NAME, else after the running package', () => {
    expect(serviceName({ OTEL_SERVICE_NAME: 'edge' })).toBe('edge');
    const entry = new URL('../../../services/token/dist/main.js', import.meta.url).pathname;
    expect(serviceName({}, entry)).toBe('token');
  });
});
