import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { field, OVERLAYS, records } from './manifests.js';
import { find, objectsOf } from './render-support.js';

/*
 * The edge's Deployment, Services and NetworkPolicies as rendered: Envoy's worker count from its CPU
 * limit, the internal listener's port, Service and policy, and the drain on shutdown, whose script
 * is run here against a stand-in for Envoy's admin interface.
 */

function edgePod(overlay: (typeof OVERLAYS)[number]) {
  return field(find(objectsOf(overlay), 'Deployment', 'edge'), 'spec', 'template', 'spec');
}

function container(overlay: (typeof OVERLAYS)[number], name: string): Record<string, unknown> {
  const found = records(field(edgePod(overlay), 'containers')).find((each) => each.name === name);
  if (found === undefined) throw new Error(`the edge pod has no ${name} container`);
  return found;
}

describe.each(OVERLAYS)('the edge in the %s overlay', (overlay) => {
  it('runs one Envoy worker per CPU of its limit', () => {
    const envoy = container(overlay, 'envoy');
    const args = envoy.args as string[];
    expect(args[args.indexOf('--concurrency') + 1]).toBe('$(CPU_LIMIT)');
    const cpu = records(envoy.env).find((variable) => variable.name === 'CPU_LIMIT');
    expect(field(cpu, 'valueFrom', 'resourceFieldRef')).toEqual({
      containerName: 'envoy',
      resource: 'limits.cpu',
      divisor: '1',
    });
    expect(field(envoy, 'resources', 'limits', 'cpu')).toBeDefined();
    expect(args).toEqual(expect.arrayContaining(['--drain-time-s', '20', '--drain-strategy', 'gradual']));
  });

  it('opens the internal listener to the bank API namespaces only, through a ClusterIP Service', () => {
    const objects = objectsOf(overlay);
    const ports = records(container(overlay, 'envoy').ports);
    expect(ports).toEqual(expect.arrayContaining([{ name: 'internal', containerPort: 8444 }]));
    const internal = find(objects, 'Service', 'edge-internal');
    expect(field(internal, 'spec', 'type')).toBe('ClusterIP');
    expect(records(field(internal, 'spec', 'ports'))).toEqual([
      expect.objectContaining({ port: 8444, targetPort: 'internal' }),
    ]);
    // The public Service exposes 443 only.
    const publicPorts = records(field(find(objects, 'Service', 'edge'), 'spec', 'ports'));
    expect(publicPorts.map((port) => port.targetPort)).toEqual(['https']);
    const policy = find(objects, 'NetworkPolicy', 'edge-internal');
    expect(field(policy, 'spec', 'podSelector', 'matchLabels')).toEqual({ 'app.kubernetes.io/name': 'edge' });
    expect(field(policy, 'spec', 'ingress')).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'psd2.bank.example/bank-api': 'true' } } }],
        ports: [{ protocol: 'TCP', port: 8444 }],
      },
    ]);
    // The edge's own policy still admits 8443 from anywhere and nothing else.
    const ingress = records(field(find(objects, 'NetworkPolicy', 'edge'), 'spec', 'ingress'));
    expect(ingress.flatMap((rule) => records(rule.ports).map((port) => port.port))).toEqual([8443]);
  });

  it('drains before Envoy stops: the drain outlasts nothing Envoy waits for', () => {
    const pod = edgePod(overlay);
    const envoy = container(overlay, 'envoy');
    const drain = container(overlay, 'drain');
    const sleep = field(envoy, 'lifecycle', 'preStop', 'sleep', 'seconds') as number;
    const drainSeconds = Number(
      records(drain.env).find((variable) => variable.name === 'DRAIN_SECONDS')?.value,
    );
    const args = envoy.args as string[];
    expect(Number(args[args.indexOf('--drain-time-s') + 1])).toBe(drainSeconds);
    // Envoy's SIGTERM comes after the drain, and both fit in the grace period.
    expect(sleep).toBeGreaterThan(drainSeconds);
    expect(field(pod, 'terminationGracePeriodSeconds')).toBeGreaterThan(sleep + 5);
    expect(field(drain, 'image')).toMatch(/psd2-auth/);
    expect(drain.command).toEqual(['node']);
  });
});

describe('the drain container script', () => {
  it('waits for SIGTERM, then fails readiness and drains the inbound listeners gracefully', async () => {
    const drain = container('production', 'drain');
    const [flag, script] = drain.args as string[];
    expect(flag).toBe('-e');
    const posted: string[] = [];
    const admin = http.createServer((request, response) => {
      posted.push(`${request.method} ${request.url}`);
      response.end('OK\n');
    });
    await new Promise<void>((resolve) => admin.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(admin.address() as AddressInfo).port}`;
    try {
      const child = spawn(process.execPath, ['-e', script ?? ''], {
        env: { ENVOY_ADMIN_URL: url, DRAIN_SECONDS: '0', PATH: process.env.PATH ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      while (!output.includes('envoy drain ready')) await new Promise((resolve) => setTimeout(resolve, 20));
      // Still running, nothing posted, until the kubelet's SIGTERM.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(posted).toEqual([]);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(posted).toEqual(['POST /healthcheck/fail', 'POST /drain_listeners?graceful&inboundonly']);
      expect(output).toContain('"result":200');
    } finally {
      admin.closeAllConnections();
      await new Promise((resolve) => admin.close(resolve));
    }
  });
});
