import { relative } from 'node:path';
import type { DemoPki, DemoQwacName } from './demo.js';

/** A ready-to-paste curl call that presents a demo QWAC to the edge (paths relative to `cwd`). */
export function demoCurlCommand(options: {
  readonly pki: DemoPki;
  readonly issuer: string;
  readonly qwac?: DemoQwacName;
  readonly path?: string;
  readonly cwd?: string;
}): string {
  const cwd = options.cwd ?? process.cwd();
  const show = (file: string) => {
    const short = relative(cwd, file);
    return short.startsWith('..') || short === '' ? file : short;
  };
  const qwac = options.pki.qwacs[options.qwac ?? 'tpp-a'];
  const url = new URL(options.path ?? '/.well-known/oauth-authorization-server', options.issuer);
  return [
    'curl',
    `--cacert ${show(options.pki.ca.cert)}`,
    `--cert ${show(qwac.cert)}`,
    `--key ${show(qwac.key)}`,
    url.href,
  ].join(' ');
}
