import { readFileSync } from 'node:fs';
import { credentials } from '@grpc/grpc-js';
import { connectOperatorApi, type OperatorApi } from '@psd2/admin-proto';
import { type ConnectionFlags, UsageError } from './usage.js';

/*
 * Where the admin API is and who the operator is: flags first, then the environment. All four are
 * required and there is no insecure fallback: the server takes mutual TLS with an operator certificate
 * only, so a missing file is a usage error here rather than a confusing handshake failure there.
 */

/** Every call's deadline: an operator never waits for ever on a lost server. */
export const CALL_DEADLINE_MS = 10_000;

const SOURCES = {
  address: 'ADMIN_ADDRESS',
  cert: 'ADMIN_CERT_FILE',
  key: 'ADMIN_KEY_FILE',
  ca: 'ADMIN_CA_FILE',
} as const;

function setting(flags: ConnectionFlags, env: NodeJS.ProcessEnv, name: keyof typeof SOURCES): string {
  const value = flags[name] ?? env[SOURCES[name]];
  if (value === undefined || value.trim() === '') {
    throw new UsageError(`set ${SOURCES[name]} (or --${name})`);
  }
  return value;
}

function file(path: string, name: keyof typeof SOURCES): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read ${SOURCES[name]} ${path} (${reason})`);
  }
}

export function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv): OperatorApi {
  const address = setting(flags, env, 'address');
  if (!/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(address)) {
    throw new UsageError(`ADMIN_ADDRESS must be host:port, not ${JSON.stringify(address)}`);
  }
  const ca = file(setting(flags, env, 'ca'), 'ca');
  const key = file(setting(flags, env, 'key'), 'key');
  const cert = file(setting(flags, env, 'cert'), 'cert');
  return connectOperatorApi(address, {
    credentials: credentials.createSsl(ca, key, cert),
    deadlineMs: CALL_DEADLINE_MS,
  });
}
