/*
 * `pnpm trust refresh-crls` options, from flags or the environment (the CronJob sets the latter).
 * Every default is the bank-grade one; a bad value is a one-line error naming the option (exit 2).
 */

export interface RefreshCliOptions {
  readonly caFile?: string;
  readonly outFile?: string;
  /** In-cluster mode: the Secret holding ca.crt and crl.pem, read and patched through the API. */
  readonly secret?: string;
  readonly distributionPointsFile?: string;
  readonly graceSeconds: number;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

export class UsageError extends Error {}

const FLAGS = {
  '--ca-file': 'TRUST_CA_FILE',
  '--out': 'TRUST_CRL_FILE',
  '--secret': 'TRUST_CRL_SECRET',
  '--distribution-points': 'TRUST_CRL_DISTRIBUTION_POINTS',
  '--grace': 'TRUST_CRL_GRACE_SECONDS',
  '--timeout': 'TRUST_CRL_FETCH_TIMEOUT_SECONDS',
  '--max-bytes': 'TRUST_CRL_MAX_BYTES',
} as const;
type Flag = keyof typeof FLAGS;

/** Six hours past nextUpdate before the job reports a CA as failed closed rather than stale. */
export const DEFAULT_GRACE_SECONDS = 6 * 3600;
export const DEFAULT_TIMEOUT_SECONDS = 30;
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `3600`, `90m`, `6h`, `2d` → seconds. */
export function parseDuration(name: string, text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (match === null)
    throw new UsageError(`${name} must be a duration such as 6h, 90m or 3600: got "${text}"`);
  return Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new UsageError(`${name} must be greater than 0`);
  return value;
}

function collect(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Map<Flag, { name: string; value: string }> {
  const values = new Map<Flag, { name: string; value: string }>();
  for (const [flag, variable] of Object.entries(FLAGS) as [Flag, string][]) {
    const value = env[variable];
    if (value !== undefined && value !== '') values.set(flag, { name: variable, value });
  }
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (!(flag in FLAGS))
      throw new UsageError(`unknown option ${arg} (options: ${Object.keys(FLAGS).join(', ')})`);
    if (inline === undefined) index += 1;
    const value = inline ?? args[index];
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    values.set(flag as Flag, { name: flag, value });
  }
  return values;
}

export function parseRefreshOptions(args: readonly string[], env: NodeJS.ProcessEnv): RefreshCliOptions {
  const values = collect(args, env);
  const text = (flag: Flag) => values.get(flag)?.value;
  const duration = (flag: Flag, fallback: number) => {
    const given = values.get(flag);
    return given === undefined ? fallback : parseDuration(given.name, given.value);
  };
  const secret = text('--secret');
  const caFile = text('--ca-file');
  const outFile = text('--out');
  if (secret === undefined && (caFile === undefined || outFile === undefined)) {
    throw new UsageError('--ca-file and --out (TRUST_CA_FILE, TRUST_CRL_FILE) are required, or --secret');
  }
  if (secret !== undefined && (caFile !== undefined || outFile !== undefined)) {
    throw new UsageError(
      '--secret reads ca.crt and writes crl.pem of the Secret: give it without --ca-file/--out',
    );
  }
  const maxBytes = values.get('--max-bytes');
  const distributionPointsFile = text('--distribution-points');
  return {
    ...(caFile === undefined ? {} : { caFile }),
    ...(outFile === undefined ? {} : { outFile }),
    ...(secret === undefined ? {} : { secret }),
    ...(distributionPointsFile === undefined ? {} : { distributionPointsFile }),
    graceSeconds: duration('--grace', DEFAULT_GRACE_SECONDS),
    timeoutMs: positive('--timeout', duration('--timeout', DEFAULT_TIMEOUT_SECONDS)) * 1000,
    maxBytes: maxBytes === undefined ? DEFAULT_MAX_BYTES : positive(maxBytes.name, Number(maxBytes.value)),
  };
}
