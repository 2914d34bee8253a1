/**
 * A read kept for ttlMs, so the webhook receipt asks the database about a store once per ttl rather than once
 * per delivery; concurrent misses for one key share one read. `forget` drops a key (a signature that fails
 * against a cached secret is checked again against a fresh read, so a rotated secret works at once).
 */
export function cachedLookup<V>(load: (key: string) => Promise<V>, ttlMs: number, maxEntries = 10_000) {
  const entries = new Map<string, { at: number; value: Promise<V> }>();
  return {
    get(key: string): Promise<V> {
      const t = Date.now();
      const hit = entries.get(key);
      if (hit && t - hit.at < ttlMs) return hit.value;
      if (entries.size >= maxEntries) entries.clear();
      const value = load(key);
      entries.set(key, { at: t, value });
      // A failed read is not remembered.
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      return value;
    },
    forget(key: string): void {
      entries.delete(key);
    },
  };
}
