import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { writeDemoPki } from './demo.js';
import { INTERNAL_SERVICES } from './internal.js';

/* The internal PKI in the demo folder: the edge's client certificate and the services' server certificates. */

describe('the demo PKI between the edge and the services', () => {
  it('issues the edge (psd2-edge, clientAuth) and each service (serverAuth) from a CA of their own', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'internal-pki-'));
    try {
      const pki = await writeDemoPki(dir);
      const read = async (file: string) => new X509Certificate(await readFile(file));
      const [internalCa, qtspCa, edge, notEdge] = await Promise.all([
        read(pki.internal.ca.cert),
        read(pki.ca.cert),
        read(pki.internal.edge.cert),
        read(pki.internal.notEdge.cert),
      ]);
      expect(edge.verify(internalCa.publicKey)).toBe(true);
      expect(edge.verify(qtspCa.publicKey)).toBe(false);
      expect(edge.subjectAltName).toBe('DNS:psd2-edge');
      expect(edge.subject).toContain('CN=psd2-edge');
      expect(edge.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
      expect(notEdge.verify(internalCa.publicKey)).toBe(true);
      expect(notEdge.subjectAltName).not.toContain('psd2-edge');
      for (const service of INTERNAL_SERVICES) {
        const server = await read(pki.internal.services[service].cert);
        expect(server.verify(internalCa.publicKey)).toBe(true);
        expect(server.checkHost(service)).toBe(service);
        expect(server.checkHost('localhost')).toBe('localhost');
        expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
        expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
