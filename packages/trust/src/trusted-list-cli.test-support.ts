import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { jest } from '@jest/globals';
import type { IssuedCertificate } from '@psd2/test-pki';
import { run } from './trusted-list-cli.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
}

/** `pnpm trust build-bundle <args>` in process, with what it printed. */
export async function runBuildBundle(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: unknown) => stdout.push(String(line)));
  const error = jest.spyOn(console, 'error').mockImplementation((line: unknown) => stderr.push(String(line)));
  try {
    const code = await run(args, env);
    return { code, stdout: stdout.flatMap((text) => text.split('\n')), stderr };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/**
 * Whether a TLS server trusting `bundle` as its client CA file (as the local edge passes it to Node)
 * verifies `client`'s certificate.
 */
export async function tlsClientAuthorized(
  bundle: string,
  server: IssuedCertificate,
  serverCa: IssuedCertificate,
  client: IssuedCertificate,
): Promise<boolean> {
  const tlsServer = createServer({
    cert: server.certificatePem,
    key: server.privateKeyPem,
    ca: bundle,
    requestCert: true,
    rejectUnauthorized: false,
  });
  const verdict = new Promise<boolean>((resolve) => {
    tlsServer.on('secureConnection', (socket: TLSSocket) => {
      resolve(socket.authorized);
      socket.end();
    });
  });
  tlsServer.listen(0, '127.0.0.1');
  await once(tlsServer, 'listening');
  const { port } = tlsServer.address() as AddressInfo;
  const socket = connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca: serverCa.certificatePem,
    cert: client.certificatePem,
    key: client.privateKeyPem,
  });
  socket.on('error', () => undefined);
  try {
    return await verdict;
  } finally {
    socket.destroy();
    tlsServer.close();
  }
}
