import { createServer, type Server } from 'node:http';

/*
 * An OTLP/HTTP (JSON) receiver standing in for the OpenTelemetry Collector: every export it is sent,
 * raw (for the leak search) and parsed into spans and metrics labelled with their service.
 */

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
}
interface OtlpResource {
  attributes: OtlpAttribute[];
}
interface TraceExport {
  resourceSpans: Array<{
    resource: OtlpResource;
    scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>;
  }>;
}
export interface DataPoint {
  attributes?: OtlpAttribute[];
  asInt?: number | string;
  asDouble?: number;
  count?: number | string;
}
export interface OtlpMetric {
  name: string;
  sum?: { dataPoints: DataPoint[] };
  gauge?: { dataPoints: DataPoint[] };
  histogram?: { dataPoints: DataPoint[] };
}
interface MetricExport {
  resourceMetrics: Array<{
    resource: OtlpResource;
    scopeMetrics: Array<{ scope: { name: string }; metrics: OtlpMetric[] }>;
  }>;
}

export interface Span extends OtlpSpan {
  readonly service: string;
  readonly scope: string;
  attribute(key: string): string | number | boolean | undefined;
}
export interface Metric extends OtlpMetric {
  readonly service: string;
}

export const KIND = { SERVER: 2, CLIENT: 3 } as const;

function plainValue(value: OtlpValue | undefined): string | number | boolean | undefined {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return value.boolValue;
}

export const attributeOf = (attributes: OtlpAttribute[] | undefined, key: string) =>
  plainValue(attributes?.find((attribute) => attribute.key === key)?.value);

/** Everything an OpenTelemetry Collector would receive, raw (for the leak search) and parsed. */
export class OtlpReceiver {
  readonly raw: string[] = [];
  private readonly traces: TraceExport[] = [];
  private readonly metricExports: MetricExport[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        this.raw.push(body);
        if (req.url === '/v1/traces') this.traces.push(JSON.parse(body) as TraceExport);
        if (req.url === '/v1/metrics') this.metricExports.push(JSON.parse(body) as MetricExport);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  spans(): Span[] {
    return this.traces.flatMap((batch) =>
      batch.resourceSpans.flatMap((resourceSpans) =>
        resourceSpans.scopeSpans.flatMap((scopeSpans) =>
          scopeSpans.spans.map((span) => ({
            ...span,
            scope: scopeSpans.scope.name,
            service: String(attributeOf(resourceSpans.resource.attributes, 'service.name')),
            attribute: (key: string) => attributeOf(span.attributes, key),
          })),
        ),
      ),
    );
  }

  /** The first span `matches` accepts, once it has arrived. */
  spanArrives(matches: (span: Span) => boolean, what: string): Promise<Span> {
    return eventually(() => this.spans().find(matches), what);
  }

  metrics(): Metric[] {
    return this.metricExports.flatMap((batch) =>
      batch.resourceMetrics.flatMap((resourceMetrics) =>
        resourceMetrics.scopeMetrics.flatMap((scopeMetrics) =>
          scopeMetrics.metrics.map((metric) => ({
            ...metric,
            service: String(attributeOf(resourceMetrics.resource.attributes, 'service.name')),
          })),
        ),
      ),
    );
  }
}

export async function eventually<T>(read: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const dataPointsOf = (metric: OtlpMetric): DataPoint[] =>
  metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? metric.gauge?.dataPoints ?? [];
