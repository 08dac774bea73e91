import { execFileSync } from 'node:child_process';

/** Pins a process and all its threads to one CPU, so that the system under test and the load generator do not share a core. */
export function pin(pid: number, cpu: number): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`warning: could not pin process ${pid} to CPU ${cpu} (taskset missing?)\n`);
  }
}
