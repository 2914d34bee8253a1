// A Redis for tests: REDIS_TEST_URL (default the machine's redis://127.0.0.1:6379) with a fresh key prefix per
// call, so test files never see each other's keys. In CI Redis is required (.ci/run starts it); elsewhere a
// test that needs it is skipped, with the reason printed, when nothing answers.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { openRedis, type SharedRedis } from "../redis/redis.ts";

export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? "redis://127.0.0.1:6379";

export interface TestRedis extends SharedRedis {
  /** Deletes every key under this prefix and closes the client. */
  destroy(): Promise<void>;
}

/** Whether a Redis answers at REDIS_TEST_URL; throws in CI when none does. */
export async function redisAvailable(): Promise<boolean> {
  const probe = new Redis(REDIS_TEST_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => {});
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch (error) {
    if (process.env.CI) throw new Error(`CI needs Redis at ${REDIS_TEST_URL} (.ci/run starts it): ${String(error)}`);
    console.warn(`no Redis at ${REDIS_TEST_URL}: skipping the tests that share state through Redis`);
    return false;
  } finally {
    probe.disconnect();
  }
}

export function testRedisPrefix(): string {
  return `tm_t_${randomBytes(6).toString("hex")}:`;
}

export async function deleteRedisPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

export function createTestRedis(): TestRedis {
  const redis = openRedis(REDIS_TEST_URL, { prefix: testRedisPrefix() });
  return {
    ...redis,
    async destroy() {
      await deleteRedisPrefix(redis.client, redis.prefix);
      await redis.close();
    },
  };
}
