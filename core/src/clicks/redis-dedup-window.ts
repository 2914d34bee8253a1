import type { SharedRedis } from "../redis/redis.ts";
import { type ClickDedup, DedupWindow } from "./dedup-window.ts";

// The click dedup window in Redis, so that a visitor whose clicks reach several instances still yields one
// qualified click per link per window. A key holds the time of its last qualified click and expires with
// the window. This process also remembers its own qualified clicks in memory: while Redis does not answer,
// clicks are classified from that (as one process alone would) instead of waiting.

// Atomic: of concurrent clicks by one visitor on several instances exactly one qualifies. The clicks an
// instance receives in one event-loop turn go in one call, claimed in order: two keys per click (its own,
// and the visitor under yesterday's salt or its own again), ARGV the window then each click's time. A time
// in the future (a clock that stepped back) still counts as recent, as in DedupWindow.
const CLAIM_SCRIPT = `
local window = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS / 2 do
  local at = tonumber(ARGV[i + 1])
  local qualified = 1
  for j = 2 * i - 1, 2 * i do
    local last = redis.call('GET', KEYS[j])
    if last and at - tonumber(last) < window then
      qualified = 0
      break
    end
  end
  if qualified == 1 then redis.call('SET', KEYS[2 * i - 1], ARGV[i + 1], 'PX', window) end
  out[i] = qualified
end
return out
`;
// Most clicks claimed in one script call: a call blocks Redis while it runs (~1 µs a click).
const MAX_CLAIMS_PER_CALL = 500;

interface Claim {
  key: string;
  also: string | null;
  atMs: number;
  resolve(qualified: boolean): void;
}
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
  trailmarkDedupClaim(...keysThenArgs: (string | number)[]): Promise<number[]>;
  trailmarkDedupForget(key: string, atMs: number): Promise<number>;
  trailmarkDedupWarm(key: string, atMs: number, ttlMs: number): Promise<number>;
}

export class RedisDedupWindow implements ClickDedup {
  private readonly local: DedupWindow;
  private readonly commands: DedupCommands;
  private pending: Claim[] = [];

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
    return new Promise((resolve) => {
      if (this.pending.length === 0) setImmediate(() => this.send());
      this.pending.push({ key, also, atMs, resolve });
    });
  }

  private send(): void {
    while (this.pending.length > 0) {
      const claims = this.pending.splice(0, MAX_CLAIMS_PER_CALL);
      const keys: string[] = [];
      const times: number[] = [];
      for (const c of claims) {
        keys.push(this.keyOf(c.key), this.keyOf(c.also ?? c.key));
        times.push(c.atMs);
      }
      this.commands.trailmarkDedupClaim.call(this.redis.client, keys.length, ...keys, this.windowMs, ...times).then(
        (answers) => {
          this.redis.succeeded();
          claims.forEach((c, i) => {
            const qualified = answers[i] === 1;
            if (qualified) this.local.remember(c.key, c.atMs);
            c.resolve(qualified);
          });
        },
        (error: unknown) => {
          this.redis.failed("click dedup window", error);
          for (const c of claims) c.resolve(this.local.claim(c.key, c.also, c.atMs));
        },
      );
    }
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
