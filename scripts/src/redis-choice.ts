/*
 * Which Redis `pnpm start` hands its services: the environment passes through to every process, so
 * REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster, with REDIS_USERNAME, REDIS_PASSWORD
 * and REDIS_TLS) reach them as they are; the launcher only needs to know whether one is set, and to
 * name it in its banner without a password.
 */

/** The banner's words for the Redis the environment names, or undefined when it names none. */
export function describeRedis(env: NodeJS.ProcessEnv): string | undefined {
  if (env.REDIS_URL) return `Redis at ${withoutPassword(env.REDIS_URL)}`;
  if (env.REDIS_CLUSTER_NODES) {
    // The services' default is TLS to every node; a local cluster usually needs REDIS_TLS=false.
    const tls = env.REDIS_TLS === 'false' ? 'plaintext' : 'TLS';
    return `Redis Cluster at ${env.REDIS_CLUSTER_NODES} (${tls})`;
  }
  return undefined;
}

function withoutPassword(url: string): string {
  if (!URL.canParse(url)) return '(unparsable REDIS_URL)';
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.href;
}
