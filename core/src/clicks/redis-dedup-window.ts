import type { SharedRedis } from "../redis/redis.ts";
import { type ClickDedup, DedupWindow } from "./dedup-window.ts";

// The click dedup window in Redis, so that a visitor whose clicks reach several instances still yields one
// qualified click per link per window. A key holds the time of its last qualified click and expires with
// the window. This process also remembers its own qualified clicks in memory: while Redis does not answer,
// clicks are classified from that (as one process alone would) instead of waiting.

// One round trip, atomic: of concurrent clicks by one visitor on several instances exactly one qualifies.
// A time in the future (a clock that stepped back) still counts as recent, as in DedupWindow.
const CLAIM_SCRIPT = `
local at = tonumber(ARGV[1])
for i = 1, #KEYS do
  local last = redis.call('GET', KEYS[i])
  if last and at - tonumber(last) < tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;
const FORGET_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;
// Warming at start-up must not overwrite a newer click another instance already remembered.
const WARM_SCRIPT = `
local last = redis.call('GET', KEYS[1])
if not last or tonumber(last) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 0
`;

interface DedupCommands {
  trailmarkDedupClaim(...keysThenArgs: (string | number)[]): Promise<number>;
  trailmarkDedupForget(key: string, atMs: number): Promise<number>;
  trailmarkDedupWarm(key: string, atMs: number, ttlMs: number): Promise<number>;
}

export class RedisDedupWindow implements ClickDedup {
  private readonly local: DedupWindow;
  private readonly commands: DedupCommands;

  constructor(
    private readonly redis: SharedRedis,
    private readonly windowMs: number,
    maxLocalEntries?: number,
    private readonly now: () => number = Date.now,
  ) {
    this.local = new DedupWindow(windowMs, maxLocalEntries);
    const { client } = redis;
    if (!("trailmarkDedupClaim" in client)) {
      client.defineCommand("trailmarkDedupClaim", { lua: CLAIM_SCRIPT });
      client.defineCommand("trailmarkDedupForget", { numberOfKeys: 1, lua: FORGET_SCRIPT });
      client.defineCommand("trailmarkDedupWarm", { numberOfKeys: 1, lua: WARM_SCRIPT });
    }
    this.commands = client as unknown as DedupCommands;
  }

  private keyOf(key: string): string {
    return `${this.redis.prefix}dd:${key}`;
  }

  claim(key: string, also: string | null, atMs: number): boolean | Promise<boolean> {
    if (!this.redis.usable()) return this.local.claim(key, also, atMs);
    const keys = also === null ? [this.keyOf(key)] : [this.keyOf(key), this.keyOf(also)];
    return this.commands.trailmarkDedupClaim.call(this.redis.client, keys.length, ...keys, atMs, this.windowMs).then(
      (qualified) => {
        this.redis.succeeded();
        if (qualified === 1) this.local.remember(key, atMs);
        return qualified === 1;
      },
      (error: unknown) => {
        this.redis.failed("click dedup window", error);
        return this.local.claim(key, also, atMs);
      },
    );
  }

  forget(key: string, atMs: number): void {
    this.local.forget(key, atMs);
    this.commands.trailmarkDedupForget
      .call(this.redis.client, this.keyOf(key), atMs)
      .catch((error: unknown) => this.redis.failed("click dedup window", error));
  }

  async warm(entries: { key: string; atMs: number }[]): Promise<void> {
    await this.local.warm(entries);
    const now = this.now();
    const live = entries.filter((e) => e.atMs + this.windowMs > now);
    for (let i = 0; i < live.length; i += 1_000) {
      const pipeline = this.redis.client.pipeline();
      for (const { key, atMs } of live.slice(i, i + 1_000)) {
        (pipeline as unknown as DedupCommands).trailmarkDedupWarm(this.keyOf(key), atMs, atMs + this.windowMs - now);
      }
      try {
        await pipeline.exec();
      } catch (error) {
        this.redis.failed("click dedup window", error);
        return;
      }
    }
  }
}
