import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkGrpcHealth } from '@psd2/grpc-server';
import { demoCurlCommand, ensureDemoPki } from '@psd2/test-pki';
import { createMemoryTokenStore, hostTokenStore } from '@psd2/token-store';
import { runMigrations } from './migrations.js';
import { prefixOutput } from './output.js';
import { defaultPorts, migrationJobs, type ProcessSpec, processTable } from './processes.js';
import { describeRedis } from './redis-choice.js';

/*
 * `pnpm start`: the whole system on one machine. Starts every process from the table in order,
 * waits until each answers its health check, prints where everything listens, and stops them all
 * together on Ctrl-C / SIGTERM or when any of them dies.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// A cold start (PGlite's WebAssembly, the telemetry preload) of six processes at once takes a busy
// two-core laptop well over 30 s.
const HEALTH_TIMEOUT_MS = 90_000;
const children = new Map<string, ChildProcess>();
let stopping = false;

function launch(spec: ProcessSpec, shared: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', '@psd2/telemetry/register', 'dist/main.js'], {
    cwd: spec.dir,
    env: { ...process.env, ...shared, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixOutput(spec.name, child.stdout, process.stdout);
  prefixOutput(spec.name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(spec.name);
    if (!stopping) {
      process.stderr.write(`${spec.name} exited (${signal ?? `code ${code}`}); stopping everything.\n`);
      void stopAll(1);
    }
  });
  children.set(spec.name, child);
  return child;
}

async function waitHealthy(spec: ProcessSpec): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  const { health } = spec;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopped while starting');
    if (health.kind === 'grpc') {
      if ((await checkGrpcHealth(health.address, { timeoutMs: 1000 })) === 'SERVING') return;
    } else {
      try {
        const response = await fetch(health.url, { signal: AbortSignal.timeout(1000) });
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${spec.name} did not become healthy within ${HEALTH_TIMEOUT_MS / 1000} s`);
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const exits = [...children.values()].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  const force = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 15_000);
  await Promise.all(exits);
  clearTimeout(force);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));
  const ports = defaultPorts(process.env);
  // The demo PKI (a test QTSP CA, the edge's certificate, a QWAC per role) is written on first run;
  // a bank's own files replace it through EDGE_TLS_CERT_FILE, EDGE_TLS_KEY_FILE and EDGE_CLIENT_CA_FILE.
  const pki = await ensureDemoPki(join(root, '.local', 'pki'));
  if (pki.created) process.stdout.write(`Wrote a demo PKI to ${pki.dir}\n`);
  const env = process.env;
  const tls = {
    certFile: env.EDGE_TLS_CERT_FILE || pki.server.cert,
    keyFile: env.EDGE_TLS_KEY_FILE || pki.server.key,
    clientCaFile: env.EDGE_CLIENT_CA_FILE || pki.clientCaBundle,
  };
  // Every service names the same public issuer (token `iss`, metadata, absolute URLs).
  const issuer = env.ISSUER || `https://localhost:${ports.edge}`;
  // The services default to bank mode (Redis and PostgreSQL required, nothing seeded); a laptop
  // runs the sandbox unless DEPLOYMENT_MODE says otherwise.
  const mode = env.DEPLOYMENT_MODE || 'sandbox';
  const shared: Record<string, string> = { ISSUER: issuer, DEPLOYMENT_MODE: mode };
  const redis = describeRedis(env);
  let tokenStoreNote = redis ?? 'none (set REDIS_URL or REDIS_CLUSTER_NODES)';
  if (redis === undefined && mode === 'sandbox') {
    // No Redis: one in-process token store, kept here in the launcher and shared with every service
    // over loopback, so codes, grants and tokens behave as they would in Redis (minus persistence).
    const secret = randomBytes(32).toString('base64url');
    const host = await hostTokenStore(createMemoryTokenStore(), { secret });
    shared.TOKEN_STORE_URL = host.url;
    shared.TOKEN_STORE_SECRET = secret;
    tokenStoreNote = `embedded, in this launcher (${host.url}); set REDIS_URL or REDIS_CLUSTER_NODES to use Redis`;
  }
  if (env.DATABASE_URL) await runMigrations(migrationJobs(root), () => stopping);
  const { operators } = pki;
  const table = processTable(root, ports, tls, {
    bankOrganization: pki.qwacs['psp-as'].organizationIdentifier,
    admin: {
      certFile: operators.server.cert,
      keyFile: operators.server.key,
      clientCaFile: operators.ca.cert,
    },
    internal: pki.internal,
  });
  const stages = [...new Set(table.map((spec) => spec.stage))].sort((a, b) => a - b);
  for (const stage of stages) {
    const specs = table.filter((spec) => spec.stage === stage);
    for (const spec of specs) launch(spec, shared);
    await Promise.all(specs.map(waitHealthy));
  }
  const width = Math.max(...table.map((spec) => spec.name.length));
  const lines = table.map((spec) => `  ${spec.name.padEnd(width)}  ${spec.listens}`);
  const curl =
    tls.clientCaFile === pki.clientCaBundle
      ? `\nTry it as a TPP with a demo QWAC (from the repository root):\n  ${demoCurlCommand({ pki, issuer, cwd: root })}\n`
      : '';
  // The demo operator's settings for `pnpm admin` (docs/operations-admin.md), ready to paste.
  const admin = [
    `export ADMIN_ADDRESS=127.0.0.1:${ports.admin}`,
    `export ADMIN_CERT_FILE=${operators.operator.cert}`,
    `export ADMIN_KEY_FILE=${operators.operator.key}`,
    `export ADMIN_CA_FILE=${operators.ca.cert}`,
  ].map((line) => `  ${line}\n`);
  process.stdout.write(
    `\nAll services are up (issuer ${issuer}):\n${lines.join('\n')}\n  mode             ${mode}\n  token store      ${tokenStoreNote}\n${curl}\nOperator commands (\`pnpm admin --help\`) as the demo operator, after:\n${admin.join('')}\nPress Ctrl-C to stop.\n\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`pnpm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  void stopAll(1);
});
