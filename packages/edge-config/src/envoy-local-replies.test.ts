import { describe, expect, it } from '@jest/globals';
import { at, connectionManagerOf, type Json, list } from './envoy-yaml.test-support.js';
import {
  EDGE_REPLY_TEXTS,
  type EdgeReplyName,
  HTML_CONTENT_TYPE,
  htmlReplyBody,
  JSON_CONTENT_TYPE,
  jsonReplyBody,
} from './replies.js';
import { EDGE_ROUTES, isPagePath, NOT_FOUND_BODY } from './routes.js';

/*
 * Envoy's local_reply_config against replies.ts, the texts the local edge answers with: the same status,
 * body and content type, HTML under the page routes and JSON elsewhere, never cached.
 */

interface Mapper {
  readonly statuses: number[];
  /** The :path regex a mapper is restricted to, if any. */
  readonly pathRegex: string | undefined;
  readonly body: string;
  readonly contentType: string;
  readonly headers: Json;
}

function statusOf(filter: Json): number {
  expect(at(filter, 'status_code_filter', 'comparison', 'op')).toBe('EQ');
  return at(filter, 'status_code_filter', 'comparison', 'value', 'default_value') as number;
}

function mappersOf(listenerName: string): Mapper[] {
  return list(at(connectionManagerOf(listenerName), 'local_reply_config', 'mappers')).map((mapper) => {
    const filter = at(mapper, 'filter') as Record<string, Json>;
    const parts = 'and_filter' in filter ? list(at(filter, 'and_filter', 'filters')) : [filter];
    const pathFilter = parts.find(
      (part) => typeof part === 'object' && part !== null && 'header_filter' in part,
    );
    if (pathFilter !== undefined) expect(at(pathFilter, 'header_filter', 'header', 'name')).toBe(':path');
    expect(at(mapper, 'body_format_override', 'text_format_source', 'inline_string')).toBe(
      '%LOCAL_REPLY_BODY%',
    );
    return {
      statuses: parts.filter((part) => part !== pathFilter).map(statusOf),
      pathRegex:
        pathFilter === undefined
          ? undefined
          : (at(pathFilter, 'header_filter', 'header', 'string_match', 'safe_regex', 'regex') as string),
      body: at(mapper, 'body', 'inline_string') as string,
      contentType: at(mapper, 'body_format_override', 'content_type') as string,
      headers: at(mapper, 'headers_to_add'),
    };
  });
}

/** What Envoy answers for a local reply with this status on this path: the first mapper that matches. */
function envoyReply(mappers: Mapper[], status: number, path: string): Mapper | undefined {
  return mappers.find(
    (mapper) =>
      mapper.statuses.includes(status) &&
      (mapper.pathRegex === undefined || new RegExp(`^(?:${mapper.pathRegex})$`).test(path)),
  );
}

const names = Object.keys(EDGE_REPLY_TEXTS) as (keyof typeof EDGE_REPLY_TEXTS)[];
const pagePaths = EDGE_ROUTES.flatMap((route) =>
  route.kind === 'page' && 'prefix' in route.match ? [`${route.match.prefix}sandbox/signin.html?x=1`] : [],
);
const apiPaths = ['/oauth2/token', '/oauth2/register/abc', '/oauth2/introspect', '/elsewhere'];

describe.each(['edge_https', 'edge_internal'])('envoy/envoy.yaml local replies of %s', (listenerName) => {
  const mappers = mappersOf(listenerName);

  it.each(names)('say %s as the local edge does: HTML on the pages, OAuth JSON elsewhere', (name) => {
    const { status } = EDGE_REPLY_TEXTS[name];
    expect(pagePaths.length).toBeGreaterThan(0);
    for (const path of pagePaths) {
      expect(isPagePath(path.split('?')[0] ?? '')).toBe(true);
      expect(envoyReply(mappers, status, path)).toMatchObject({
        body: htmlReplyBody(name),
        contentType: HTML_CONTENT_TYPE,
      });
    }
    for (const path of apiPaths) {
      expect(envoyReply(mappers, status, path)).toMatchObject({
        body: jsonReplyBody(name),
        contentType: JSON_CONTENT_TYPE,
      });
    }
  });

  it('says the JSON 404 for a path without a route, whatever the listener', () => {
    expect(envoyReply(mappers, 404, '/oauth2/introspect')?.body).toBe(NOT_FOUND_BODY);
    expect(jsonReplyBody('notFound' satisfies EdgeReplyName)).toBe(NOT_FOUND_BODY);
  });

  it('marks every local reply no-store, and says 503 temporarily_unavailable', () => {
    for (const mapper of mappers) {
      expect(mapper.headers).toEqual([
        { header: { key: 'cache-control', value: 'no-store' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      ]);
    }
    expect(JSON.parse(envoyReply(mappers, 503, '/oauth2/token')?.body ?? '{}')).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The service is unavailable.',
    });
  });

  it('maps no status the shared texts do not know', () => {
    const known = new Set([...names.map((name) => EDGE_REPLY_TEXTS[name].status), 404]);
    for (const mapper of mappers) for (const status of mapper.statuses) expect(known).toContain(status);
  });
});
