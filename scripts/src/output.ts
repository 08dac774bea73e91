import { createInterface } from 'node:readline';

/** Copies a child's output line by line, each line labelled with the process's name. */
export function prefixOutput(name: string, stream: NodeJS.ReadableStream | null, out: NodeJS.WritableStream) {
  if (!stream) return;
  const label = `${name.padEnd(14)}| `;
  createInterface({ input: stream }).on('line', (line) => out.write(`${label}${line}\n`));
}
