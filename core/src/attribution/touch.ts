export interface Touch {
  id: string;
  creatorId: string;
  campaignId: string;
  /** Epoch milliseconds. */
  at: number;
  kind: "click" | "discount_code";
}

// Beyond (at, kind, id) the remaining fields also break ties, so two touches that differ in any field never compare
// equal: that is what makes the output independent of input order even when ids collide across creators.
export function compareTouches(a: Touch, b: Touch): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  if (a.creatorId !== b.creatorId) return a.creatorId < b.creatorId ? -1 : 1;
  if (a.campaignId !== b.campaignId) return a.campaignId < b.campaignId ? -1 : 1;
  return 0;
}
