import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { writeDemoPki } from './demo.js';

/* The operators' PKI in the demo folder: its own CA, a client-only operator certificate, the admin server's. */

describe('the demo PKI for the admin API', () => {
  it('issues operators from a CA of their own, never the QTSP CA; the untrusted one from another', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'operator-pki-'));
    try {
      const pki = await writeDemoPki(dir);
      const read = async (file: string) => new X509Certificate(await readFile(file));
      const [operatorCa, qtspCa, operator, untrusted, server] = await Promise.all([
        read(pki.operators.ca.cert),
        read(pki.ca.cert),
        read(pki.operators.operator.cert),
        read(pki.operators.untrustedOperator.cert),
        read(pki.operators.server.cert),
      ]);
      expect(operator.verify(operatorCa.publicKey)).toBe(true);
      expect(operator.verify(qtspCa.publicKey)).toBe(false);
      expect(untrusted.verify(operatorCa.publicKey)).toBe(false);
      expect(server.verify(operatorCa.publicKey)).toBe(true);
      expect(operator.subject).toContain('CN=Demo Operator');
      // clientAuth only: an operator certificate cannot serve TLS.
      expect(operator.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
      expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
