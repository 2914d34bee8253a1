import { afterEach, describe, expect, it } from "vitest";
import { CoreEnvSchema, parseEnv } from "../config/env.ts";
import { REDIS_TEST_URL, redisAvailable } from "../testing/redis.ts";
import { closeRedisFromEnv, DEFAULT_REDIS_PREFIX, redisFromEnv } from "./redis.ts";

const withRedis = await redisAvailable();
afterEach(() => closeRedisFromEnv());

describe("redisFromEnv", () => {
  it("is null without REDIS_URL: every limit and the dedup window stay in the process", () => {
    expect(redisFromEnv({})).toBeNull();
    expect(redisFromEnv({ REDIS_URL: REDIS_TEST_URL })).toBeNull();
  });

  it.skipIf(!withRedis)("opens one client per process with REDIS_PREFIX, until closed", async () => {
    const redis = redisFromEnv({ REDIS_URL: REDIS_TEST_URL, REDIS_PREFIX: "tm_env_test:" });
    expect(redis?.prefix).toBe("tm_env_test:");
    expect(redisFromEnv({ REDIS_URL: "redis://elsewhere:6379" })).toBe(redis);
    expect(await redis!.client.ping()).toBe("PONG");
    await closeRedisFromEnv();
    expect(redisFromEnv({ REDIS_URL: REDIS_TEST_URL })?.prefix).toBe(DEFAULT_REDIS_PREFIX);
  });
});

describe("the environment for several instances", () => {
  it("takes REDIS_URL, REDIS_PREFIX and WEB_CONCURRENCY, one process and no Redis by default", () => {
    expect(parseEnv(CoreEnvSchema, {})).toMatchObject({ WEB_CONCURRENCY: 1, REDIS_PREFIX: "trailmark:" });
    expect(parseEnv(CoreEnvSchema, {}).REDIS_URL).toBeUndefined();
    expect(parseEnv(CoreEnvSchema, { REDIS_URL: "" }).REDIS_URL).toBeUndefined();
    expect(parseEnv(CoreEnvSchema, { REDIS_URL: "rediss://:pw@cache:6380/2", WEB_CONCURRENCY: "4" })).toMatchObject({
      REDIS_URL: "rediss://:pw@cache:6380/2",
      WEB_CONCURRENCY: 4,
    });
    expect(() => parseEnv(CoreEnvSchema, { REDIS_URL: "cache:6379" })).toThrow(/REDIS_URL: must be a redis:\/\//);
    expect(() => parseEnv(CoreEnvSchema, { WEB_CONCURRENCY: "0" })).toThrow(/WEB_CONCURRENCY/);
  });
});
