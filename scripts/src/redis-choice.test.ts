import { describe, expect, it } from '@jest/globals';
import { describeRedis } from './redis-choice.js';

describe('pnpm start: the Redis it names', () => {
  it('names one Redis without its password', () => {
    expect(describeRedis({ REDIS_URL: 'redis://app:s3cret@redis.local:6379/0' })).toBe(
      'Redis at redis://app:***@redis.local:6379/0',
    );
  });

  it('names a cluster from REDIS_CLUSTER_NODES, and whether it is reached over TLS', () => {
    expect(describeRedis({ REDIS_CLUSTER_NODES: '127.0.0.1:7101,127.0.0.1:7102', REDIS_TLS: 'false' })).toBe(
      'Redis Cluster at 127.0.0.1:7101,127.0.0.1:7102 (plaintext)',
    );
    expect(describeRedis({ REDIS_CLUSTER_NODES: 'redis-0:6379', REDIS_PASSWORD: 's3cret' })).toBe(
      'Redis Cluster at redis-0:6379 (TLS)',
    );
  });

  it('names none when neither is set (the sandbox then embeds its own store)', () => {
    expect(describeRedis({ REDIS_URL: '', REDIS_CLUSTER_NODES: '' })).toBeUndefined();
  });
});
