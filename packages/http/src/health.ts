import type { Request, Response, Router } from 'express';

/** Resolves when the dependency answers; rejects (or times out) when it does not. Reported, never gating. */
export type ReadinessCheck = () => Promise<void>;
export type ReadinessChecks = Readonly<Record<string, ReadinessCheck>>;

const CHECK_TIMEOUT_MS = 1000;

const LIVENESS_PATH = '/healthz';
const READINESS_PATH = '/readyz';

/** The probes' paths: kubelet hits them every few seconds, so they get no span and a quiet log line. */
export const PROBE_PATHS: ReadonlySet<string> = new Set([LIVENESS_PATH, READINESS_PATH]);

function withTimeout(check: ReadinessCheck): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
    check().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * `/healthz` answers while the process can serve at all (liveness). `/readyz` follows the pod's own
 * state only: 200 once listening, 503 while draining for shutdown. The dependencies (Redis, the
 * registry) are reported in the body, up or down, but do not fail readiness: they are shared by every
 * replica, so a blip would take them all out of the Service at once, and a request meanwhile gets the
 * service's own 503 JSON (temporarily_unavailable), which says more than a refused connection.
 */
export function mountHealth(router: Router, checks: ReadinessChecks): void {
  router.get(LIVENESS_PATH, (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get(READINESS_PATH, async (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store');
    if (req.app.locals.draining === true) {
      res.status(503).json({ status: 'shutting_down' });
      return;
    }
    const names = Object.keys(checks);
    const results = await Promise.allSettled(
      names.map((name) => withTimeout(checks[name] ?? (async () => {}))),
    );
    const report: Record<string, 'up' | 'down'> = {};
    names.forEach((name, index) => {
      report[name] = results[index]?.status === 'fulfilled' ? 'up' : 'down';
    });
    res.status(200).json({ status: 'ready', checks: report });
  });
}
