import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { collectTrustedCas, type ListSource } from './trusted-list-build.js';
import { commentOf, distinctCas, formatBundle, writeBundleIfChanged } from './trusted-list-bundle.js';
import { TrustedListRefused } from './trusted-list-xml.js';

/*
 * `pnpm trust build-bundle`: the QWAC CA bundle from a trusted list or the EU list of lists. Exit 0 when
 * the bundle is written or already current, 1 when a list is refused or the result is empty (the previous
 * bundle is left as it was), 2 for a usage or configuration error.
 */

export const USAGE = `usage: pnpm trust build-bundle (--tsl <url|file> | --lotl <url|file>) --signer-cert <pem> [--signer-cert <pem>...]
                          --out <file> [--territory FR,DE,...]
  --signer-cert  PEM file(s) of the certificates allowed to sign the list (--tsl) or the list of lists (--lotl);
                 without it, the PEM file named by TRUST_TSL_SIGNER_CERTS
  --territory    with --lotl: only these national lists`;

class UsageError extends Error {}

interface Invocation {
  readonly source: ListSource;
  readonly signers: X509Certificate[];
  readonly out: string;
  readonly territories: ReadonlySet<string> | undefined;
}

export async function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(args, env);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  try {
    const { cas, warnings } = await collectTrustedCas(invocation);
    for (const warning of warnings) console.error(warning);
    const distinct = distinctCas(cas);
    if (distinct.length === 0) {
      throw new TrustedListRefused('no granted CA/QC service for website authentication: nothing to trust');
    }
    for (const ca of distinct) console.log(`included ${commentOf(ca).slice(2)} ${ca.subject}`);
    const outcome = await writeBundleIfChanged(invocation.out, formatBundle(distinct));
    console.log(
      `${outcome === 'written' ? 'wrote' : 'unchanged:'} ${distinct.length} CAs in ${invocation.out}`,
    );
    return 0;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`refused: ${reason}\nnothing written to ${invocation.out}`);
    return 1;
  }
}

function parseInvocation(args: string[], env: NodeJS.ProcessEnv): Invocation {
  let values: ReturnType<typeof parseOptions>['values'];
  try {
    ({ values } = parseOptions(args));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if ((values.tsl === undefined) === (values.lotl === undefined)) {
    throw new UsageError('give exactly one of --tsl and --lotl');
  }
  if (values.out === undefined || values.out === '') throw new UsageError('--out is required');
  if (values.territory !== undefined && values.lotl === undefined) {
    throw new UsageError('--territory applies to --lotl only');
  }
  const signerFiles =
    values['signer-cert'] ?? (env.TRUST_TSL_SIGNER_CERTS ? [env.TRUST_TSL_SIGNER_CERTS] : []);
  if (signerFiles.length === 0) throw new UsageError('give --signer-cert or set TRUST_TSL_SIGNER_CERTS');
  return {
    source: values.tsl !== undefined ? { tsl: values.tsl } : { lotl: values.lotl ?? '' },
    signers: signerFiles.flatMap(readSignerCertificates),
    out: values.out,
    territories: territoriesOf(values.territory),
  };
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      tsl: { type: 'string' },
      lotl: { type: 'string' },
      'signer-cert': { type: 'string', multiple: true },
      out: { type: 'string' },
      territory: { type: 'string' },
    },
  });
}

function territoriesOf(option: string | undefined): ReadonlySet<string> | undefined {
  if (option === undefined) return undefined;
  const codes = option.split(',').map((code) => code.trim().toUpperCase());
  if (codes.some((code) => !/^[A-Z]{2}$/.test(code))) {
    throw new UsageError(`--territory takes two-letter codes separated by commas, not "${option}"`);
  }
  return new Set(codes);
}

/** Every certificate of a PEM file; a file without one is a configuration error. */
export function readSignerCertificates(path: string): X509Certificate[] {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `signer certificates ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new UsageError(`signer certificates ${path}: no PEM certificate in it`);
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new UsageError(`signer certificates ${path}: a certificate in it cannot be parsed`);
    }
  });
}
