import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { defaultPorts, type ProcessSpec, processTable } from './processes.js';

/*
 * `pnpm start`: the whole system on one machine. Starts every process from the table in order,
 * waits until each answers its health check, prints where everything listens, and stops them all
 * together on Ctrl-C / SIGTERM or when any of them dies.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEALTH_TIMEOUT_MS = 30_000;
const children = new Map<string, ChildProcess>();
let stopping = false;
/** What each process printed while starting, for health checks by log line. */
const output = new Map<string, string>();

function prefixOutput(name: string, stream: NodeJS.ReadableStream | null, out: NodeJS.WritableStream) {
  if (!stream) return;
  const label = `${name.padEnd(14)}| `;
  createInterface({ input: stream }).on('line', (line) => {
    // Only the start-up phase needs the text (health by log line); keep it bounded after that.
    const seen = output.get(name) ?? '';
    if (seen.length < 65_536) output.set(name, `${seen}${line}\n`);
    out.write(`${label}${line}\n`);
  });
}

function launch(spec: ProcessSpec): ChildProcess {
  const child = spawn(process.execPath, ['--import', '@psd2/telemetry/register', 'dist/main.js'], {
    cwd: spec.dir,
    env: { ...process.env, ...spec.env },
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
    if (health.kind === 'log') {
      if ((output.get(spec.name) ?? '').includes(health.line)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    try {
      const response = await fetch(health.url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
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
  const table = processTable(root, defaultPorts(process.env));
  const stages = [...new Set(table.map((spec) => spec.stage))].sort((a, b) => a - b);
  for (const stage of stages) {
    const specs = table.filter((spec) => spec.stage === stage);
    for (const spec of specs) launch(spec);
    await Promise.all(specs.map(waitHealthy));
  }
  const width = Math.max(...table.map((spec) => spec.name.length));
  const lines = table.map((spec) => `  ${spec.name.padEnd(width)}  ${spec.listens}`);
  process.stdout.write(`\nAll services are up:\n${lines.join('\n')}\nPress Ctrl-C to stop.\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`pnpm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  void stopAll(1);
});
