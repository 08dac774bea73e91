import { parseArgs } from 'node:util';

/*
 * The command line: one command, its argument and options. Anything wrong here is a usage error (exit
 * 2) before any connection is made.
 */

export const ROLES = ['PSP_AI', 'PSP_PI', 'PSP_IC'] as const;
export type RoleName = (typeof ROLES)[number];

export type Command =
  | {
      readonly name: 'suspend-organisation' | 'reinstate-organisation';
      readonly organizationId: string;
      readonly role?: RoleName;
      readonly reason: string;
    }
  | { readonly name: 'list-clients'; readonly organizationId?: string }
  | { readonly name: 'show-client'; readonly clientId: string }
  | { readonly name: 'list-grants'; readonly psuId: string; readonly limit?: number }
  | { readonly name: 'withdraw-grant'; readonly grantId: string; readonly reason: string };

export interface ConnectionFlags {
  readonly address?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
}

export interface Invocation {
  readonly command: Command;
  readonly json: boolean;
  readonly connection: ConnectionFlags;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage: pnpm admin <command> [options]
  suspend-organisation <organisation-id> [--role PSP_AI|PSP_PI|PSP_IC] --reason "..."
  reinstate-organisation <organisation-id> [--role PSP_AI|PSP_PI|PSP_IC] --reason "..."
  list-clients [--organisation <organisation-id>]
  show-client <client-id>
  list-grants --psu <customer-id> [--limit <1-200>]
  withdraw-grant <grant-id> --reason "..."
options: --json (machine output), --address host:port, --cert, --key, --ca
  (default: ADMIN_ADDRESS, ADMIN_CERT_FILE, ADMIN_KEY_FILE, ADMIN_CA_FILE)
exit codes: 0 ok, 1 refused or not found, 2 usage, 3 unavailable (connection, TLS, deadline)`;

const OPTIONS = {
  role: { type: 'string' },
  reason: { type: 'string' },
  organisation: { type: 'string' },
  psu: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  address: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  ca: { type: 'string' },
  help: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function only(positionals: string[], what: string): string {
  if (positionals.length !== 1 || positionals[0] === undefined || positionals[0].trim() === '') {
    throw new UsageError(`expected exactly one ${what}`);
  }
  return positionals[0];
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} is required`);
  return value;
}

function none(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
}

function role(value: string | undefined): { role?: RoleName } {
  if (value === undefined) return {};
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  }
  return { role: value as RoleName };
}

function allowed(values: Values, flags: readonly (keyof Values)[], command: string): void {
  const commandFlags = ['role', 'reason', 'organisation', 'psu', 'limit'] as const;
  for (const flag of commandFlags) {
    if (values[flag] !== undefined && !flags.includes(flag)) {
      throw new UsageError(`--${flag} does not apply to ${command}`);
    }
  }
}

function command(name: string, positionals: string[], values: Values): Command {
  switch (name) {
    case 'suspend-organisation':
    case 'reinstate-organisation':
      allowed(values, ['role', 'reason'], name);
      return {
        name,
        organizationId: only(positionals, 'organisation id'),
        ...role(values.role),
        reason: required(values.reason, '--reason'),
      };
    case 'list-clients':
      allowed(values, ['organisation'], name);
      none(positionals);
      return values.organisation === undefined
        ? { name }
        : { name, organizationId: required(values.organisation, '--organisation') };
    case 'show-client':
      allowed(values, [], name);
      return { name, clientId: only(positionals, 'client id') };
    case 'list-grants': {
      allowed(values, ['psu', 'limit'], name);
      none(positionals);
      const limit = values.limit === undefined ? undefined : Number(values.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 200)) {
        throw new UsageError('--limit must be an integer from 1 to 200');
      }
      return { name, psuId: required(values.psu, '--psu'), ...(limit === undefined ? {} : { limit }) };
    }
    case 'withdraw-grant':
      allowed(values, ['reason'], name);
      return { name, grantId: only(positionals, 'grant id'), reason: required(values.reason, '--reason') };
    default:
      throw new UsageError(`unknown command: ${name}`);
  }
}

const VALUE_OPTIONS: ReadonlySet<string> = new Set(
  Object.entries(OPTIONS)
    .filter(([, option]) => option.type === 'string')
    .map(([name]) => `--${name}`),
);

/**
 * Identifiers may begin with a dash: a grant id is base64url (one in 64 starts with `-`), and so may a
 * customer's. parseArgs would read `-WC4…` as short options, and `--psu -x` as a missing value. This
 * CLI has no short options, so a word with one leading dash is always an argument: it goes after
 * `--`, and an option's value is joined to it (`--psu=-x`).
 */
function withDashedWordsAsArguments(argv: readonly string[]): string[] {
  const words: string[] = [];
  const dashed: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index] ?? '';
    const next = argv[index + 1];
    if (word === '--') {
      dashed.push(...argv.slice(index + 1));
      break;
    }
    if (VALUE_OPTIONS.has(word) && next !== undefined && next !== '--') {
      words.push(`${word}=${next}`);
      index++;
    } else if (/^-[^-]/.test(word)) dashed.push(word);
    else words.push(word);
  }
  return dashed.length === 0 ? words : [...words, '--', ...dashed];
}

/** The invocation, or a UsageError; `--help` is a UsageError with the usage only. */
export function parseInvocation(argv: readonly string[]): Invocation {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args: withDashedWordsAsArguments(argv),
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [name, ...positionals] = parsed.positionals;
  if (parsed.values.help === true || name === undefined) throw new UsageError('');
  const { values } = parsed;
  return {
    command: command(name, positionals, values),
    json: values.json === true,
    connection: {
      ...(values.address === undefined ? {} : { address: values.address }),
      ...(values.cert === undefined ? {} : { cert: values.cert }),
      ...(values.key === undefined ? {} : { key: values.key }),
      ...(values.ca === undefined ? {} : { ca: values.ca }),
    },
  };
}
