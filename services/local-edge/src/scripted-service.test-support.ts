import http from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll } from '@jest/globals';
import { type LocalEdge, type LocalEdgeOptions, startLocalEdge } from './edge.js';
import { type CallOptions, callEdge, edgeOptions, listening, stop, useTestPki } from './edge.test-support.js';

/*
 * A service whose behaviour the path names, behind two edges: each path under /oauth2/register/
 * says what the service does. `scripted` has its route timeout shortened to 1 s; `patient` keeps the
 * real one, so that what it observes cannot be the route timeout's doing.
 */

export const SCRIPTED_ROUTE_TIMEOUT_SECONDS = 1;

/** A request the service holds until the test releases it. */
export interface Held {
  readonly received: Promise<void>;
  /** Resolves once the service's response closed: true when the edge hung up before it finished. */
  readonly cancelled: Promise<boolean>;
  readonly release: () => void;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

interface HeldRequest extends Held {
  readonly released: Promise<void>;
  readonly markReceived: () => void;
  readonly markClosed: (early: boolean) => void;
}

export function useEdgesInFrontOfScriptedService() {
  const files = useTestPki();
  const held = new Map<string, HeldRequest>();
  const socketOf = new Map<string, Socket>();
  const edges: { scripted?: LocalEdge; patient?: LocalEdge; options?: LocalEdgeOptions } = {};
  const service = http.createServer(script);

  function holdFor(name: string): HeldRequest {
    const existing = held.get(name);
    if (existing !== undefined) return existing;
    const received = deferred<void>();
    const cancelled = deferred<boolean>();
    const released = deferred<void>();
    const entry: HeldRequest = {
      received: received.promise,
      cancelled: cancelled.promise,
      released: released.promise,
      release: () => released.resolve(),
      markReceived: () => received.resolve(),
      markClosed: (early) => cancelled.resolve(early),
    };
    held.set(name, entry);
    return entry;
  }

  function script(request: http.IncomingMessage, response: http.ServerResponse): void {
    const name = (request.url ?? '').replace('/oauth2/register/', '').split('?', 1)[0] ?? '';
    socketOf.set(name, request.socket);
    request.resume();
    switch (name) {
      case 'garbage':
        request.socket.end('NOT HTTP\r\n\r\n');
        return;
      case 'hang-up':
        request.socket.destroy();
        return;
      case 'silent':
        return;
      case 'stall-body':
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('part');
        return;
      case 'headers':
        // biome-ignore format: one name-value pair per line shows the repetitions
        response.writeHead(200, [
          'x-a', '1', 'x-a', '2',
          'content-type', 'text/plain', 'content-type', 'text/html',
          'set-cookie', 'a=1', 'set-cookie', 'b=2',
          'cache-control', 'no-store', 'cache-control', 'private',
          'connection', 'x-hop', 'x-hop', 'gone', 'proxy-connection', 'x',
        ]);
        response.end('headers');
        return;
      case 'hints':
        response.writeEarlyHints({ link: '</style.css>; rel=preload' });
        response.end('hinted');
        return;
      case 'big':
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(Buffer.alloc(1024 * 1024, 'b'));
        return;
      default:
        break;
    }
    if (name.startsWith('held-')) {
      const entry = holdFor(name);
      response.once('close', () => entry.markClosed(!response.writableFinished));
      if (request.url?.endsWith('?after-headers')) {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('first');
      }
      entry.markReceived();
      void entry.released.then(() => response.end('second'));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('ok');
  }

  beforeAll(async () => {
    // Far beyond the edge's own idle timeout: the edge, not the service, must close idle connections.
    service.keepAliveTimeout = 60_000;
    const url = await listening(service);
    edges.options = edgeOptions(files.pki, {
      registration: url,
      authorization: url,
      token: url,
      revocation: url,
    });
    edges.scripted = await startLocalEdge({
      ...edges.options,
      routeTimeoutSeconds: SCRIPTED_ROUTE_TIMEOUT_SECONDS,
    });
    edges.patient = await startLocalEdge(edges.options);
  });

  afterAll(async () => {
    for (const entry of held.values()) entry.release();
    await edges.scripted?.close();
    await edges.patient?.close();
    await stop(service);
  });

  /** A call to the scripted path `path` through `edge` (the scripted one unless given). */
  const call = (edge: LocalEdge | undefined, path: string, options: CallOptions = {}) => {
    if (edge === undefined) throw new Error('the edges are started in beforeAll');
    return callEdge(edge, files.pki, path, options);
  };
  return {
    holdFor: (name: string): Held => holdFor(name),
    /** The service's side of the connection the named request came on. */
    socketOf: (name: string) => socketOf.get(name),
    /** Options of the edges, to start another one in front of the same service. */
    options: (): LocalEdgeOptions => {
      if (edges.options === undefined) throw new Error('the edges are started in beforeAll');
      return edges.options;
    },
    through: (path: string, options: CallOptions = {}) =>
      call(edges.scripted, `/oauth2/register/${path}`, options),
    throughPatient: (path: string, options: CallOptions = {}) =>
      call(edges.patient, `/oauth2/register/${path}`, options),
    call,
  };
}

/**
 * Whether the service saw its request cancelled, waiting at most 10 s: a deadline with room for a
 * loaded machine, still well short of the patient edge's 15 s route timeout, which would cancel it too.
 */
export function cancelledSoon(entry: Held): Promise<boolean | string> {
  return Promise.race([
    entry.cancelled,
    new Promise<string>((resolve) => setTimeout(resolve, 10_000, 'not cancelled').unref()),
  ]);
}
