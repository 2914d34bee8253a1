// Remembers, per link and visitor, when the last qualified click happened, so that one visitor yields at
// most one qualified click per link per window. Entries are kept in a Map in insertion order; since every
// entry lives for the same window, that is also expiry order, and expired entries are swept from the front.
export const DEDUP_WINDOW_MS = 3_600_000;

/**
 * Where the click recorder keeps the window: this process's memory (DedupWindow), or Redis shared by every
 * instance (RedisDedupWindow). Keys are `${linkId}:${visitorHash}`.
 */
export interface ClickDedup {
  /**
   * Atomically: false when key (or `also`, the same visitor under yesterday's hash) had a qualified click within
   * the window before atMs; otherwise remembers key at atMs and returns true (the click qualifies).
   */
  claim(key: string, also: string | null, atMs: number): boolean | Promise<boolean>;
  /** Forgets the qualified click remembered at atMs (its write failed), unless a newer one replaced it. */
  forget(key: string, atMs: number): void;
  /** Remembers qualified clicks read from the database (oldest first), keeping any newer one already known. */
  warm(entries: { key: string; atMs: number }[]): Promise<void>;
}

export class DedupWindow implements ClickDedup {
  private readonly lastQualified = new Map<string, number>();

  constructor(
    private readonly windowMs = DEDUP_WINDOW_MS,
    // Past this many live entries the oldest are dropped (those visitors could qualify again early);
    // at ~100 bytes an entry the default bounds the map near 100 MB.
    private readonly maxEntries = 1_000_000,
  ) {}

  get size(): number {
    return this.lastQualified.size;
  }

  /** Whether key had a qualified click within the window before atMs. */
  isRecent(key: string, atMs: number): boolean {
    const last = this.lastQualified.get(key);
    // A clock that stepped back leaves last in the future: still recent, so nothing qualifies twice.
    return last !== undefined && atMs - last < this.windowMs;
  }

  claim(key: string, also: string | null, atMs: number): boolean {
    if (this.isRecent(key, atMs) || (also !== null && this.isRecent(also, atMs))) return false;
    this.remember(key, atMs);
    return true;
  }

  async warm(entries: { key: string; atMs: number }[]): Promise<void> {
    for (const { key, atMs } of entries) this.remember(key, atMs);
  }

  /** Records a qualified click at atMs. */
  remember(key: string, atMs: number): void {
    this.lastQualified.delete(key);
    this.lastQualified.set(key, atMs);
    this.sweep(atMs);
  }

  /** Forgets the qualified click remembered at atMs (its write failed), unless a newer one replaced it. */
  forget(key: string, atMs: number): void {
    if (this.lastQualified.get(key) === atMs) this.lastQualified.delete(key);
  }

  private sweep(atMs: number): void {
    let excess = this.lastQualified.size - this.maxEntries;
    for (const [key, last] of this.lastQualified) {
      if (excess <= 0 && atMs - last < this.windowMs) break;
      this.lastQualified.delete(key);
      excess--;
    }
  }
}
