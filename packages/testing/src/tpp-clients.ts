import { readFileSync } from 'node:fs';
import type { DemoPki, DemoQwacName } from '@psd2/test-pki';
import { Agent, fetch as undiciFetch } from 'undici';
import { toResult } from './http.js';
import type { TppFetch } from './system.js';

/*
 * HTTPS clients of the running system's edge listeners: one connection pool per demo QWAC (or none),
 * trusting the test CA, shared by the public and the internal listener.
 */

export interface TppClients {
  /** Requests to `baseUrl` (an edge listener) presenting `qwac`; redirects are returned, not followed. */
  clientOf(baseUrl: string): (qwac: DemoQwacName | undefined) => TppFetch;
  close(): Promise<void>;
}

export function createTppClients(pki: DemoPki): TppClients {
  const ca = readFileSync(pki.ca.cert);
  const agents = new Map<string, Agent>();
  const agentFor = (qwac: DemoQwacName | undefined) => {
    const key = qwac ?? '(none)';
    let agent = agents.get(key);
    if (agent === undefined) {
      const files = qwac === undefined ? undefined : pki.qwacs[qwac];
      agent = new Agent({
        connect: {
          ca,
          ...(files ? { cert: readFileSync(files.cert), key: readFileSync(files.key) } : {}),
        },
      });
      agents.set(key, agent);
    }
    return agent;
  };
  return {
    clientOf:
      (baseUrl) =>
      (qwac) =>
      async (path, init = {}) =>
        toResult(
          await undiciFetch(`${baseUrl}${path}`, {
            method: init.method ?? 'GET',
            ...(init.headers ? { headers: init.headers } : {}),
            ...(init.body !== undefined ? { body: init.body } : {}),
            dispatcher: agentFor(qwac),
            redirect: 'manual',
          }),
        ),
    async close() {
      await Promise.all([...agents.values()].map((agent) => agent.close()));
    },
  };
}
