// Pure: which approved commissions and unsettled adjustments a payout run pays, grouped into one payout per
// creator and currency. Storage (payout-runs.ts) loads the inputs and claims what the plan includes.

export interface PayableCommission {
  id: string;
  creatorId: string;
  currency: string;
  /** What the commission is worth now, minor units (> 0 to be paid). */
  amount: number;
  holdUntil: Date;
}

export interface PayableAdjustment {
  id: string;
  creatorId: string;
  currency: string;
  /** Signed minor units: negative for a clawback after payment, positive for a re-credit. */
  amount: number;
}

export interface PlannedPayout {
  creatorId: string;
  currency: string;
  /** commissionTotal + adjustmentTotal, always > 0 and at least the minimum for the currency. */
  amount: number;
  commissionTotal: number;
  adjustmentTotal: number;
  commissions: { id: string; amount: number }[];
  adjustments: { id: string; amount: number }[];
}

export type CarryOverReason = "below_minimum" | "negative_balance" | "nothing_due";

/** A balance left for a later run: none of its commissions or adjustments is included in this one. */
export interface CarryOver {
  creatorId: string;
  currency: string;
  balance: number;
  reason: CarryOverReason;
  commissionIds: string[];
  adjustmentIds: string[];
}

export interface PayoutPlan {
  payouts: PlannedPayout[];
  carryOver: CarryOver[];
}

export interface PlanPayoutRunInput {
  commissions: readonly PayableCommission[];
  adjustments: readonly PayableAdjustment[];
  /** Minimum payout in minor units of a currency; a balance below it carries over. */
  minimumPayout: (currency: string) => number;
  now: Date;
}

/** Why a creator's balance in one currency is not paid now, or null when it is. */
export function carryOverReason(balance: number, minimumPayout: number): CarryOverReason | null {
  const minimum = Math.max(0, minimumPayout);
  return balance < 0 ? "negative_balance" : balance === 0 ? "nothing_due" : balance < minimum ? "below_minimum" : null;
}

function assertAmount(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be integer minor units, got ${value}`);
}

/**
 * One payout per creator and currency: the creator's approved commissions whose holding period has passed
 * (at `now`) plus every unsettled adjustment in that currency, so clawbacks are netted against new
 * earnings. A balance that is not positive, or below the currency's minimum, carries over whole: nothing
 * of it is paid now and all of it is considered again next run. Commissions still on hold and commissions
 * worth nothing are left out (and not reported); a commission or adjustment listed twice counts once.
 * Currencies are never mixed. Payouts come out sorted by creator and currency, items by id.
 */
export function planPayoutRun(input: PlanPayoutRunInput): PayoutPlan {
  const groups = new Map<
    string,
    { creatorId: string; currency: string; commissions: Map<string, number>; adjustments: Map<string, number> }
  >();
  const group = (creatorId: string, currency: string) => {
    const key = JSON.stringify([creatorId, currency]);
    let g = groups.get(key);
    if (!g) {
      g = { creatorId, currency, commissions: new Map(), adjustments: new Map() };
      groups.set(key, g);
    }
    return g;
  };
  const seenCommissions = new Set<string>();
  for (const c of input.commissions) {
    assertAmount(c.amount, `commission ${c.id} amount`);
    if (seenCommissions.has(c.id)) continue;
    seenCommissions.add(c.id);
    if (c.amount <= 0 || c.holdUntil.getTime() > input.now.getTime()) continue;
    group(c.creatorId, c.currency).commissions.set(c.id, c.amount);
  }
  const seenAdjustments = new Set<string>();
  for (const a of input.adjustments) {
    assertAmount(a.amount, `adjustment ${a.id} amount`);
    if (seenAdjustments.has(a.id)) continue;
    seenAdjustments.add(a.id);
    if (a.amount === 0) continue;
    group(a.creatorId, a.currency).adjustments.set(a.id, a.amount);
  }

  const payouts: PlannedPayout[] = [];
  const carryOver: CarryOver[] = [];
  const byId = (x: { id: string }, y: { id: string }) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  const sorted = [...groups.values()].sort((x, y) =>
    x.creatorId === y.creatorId ? x.currency.localeCompare(y.currency) : x.creatorId < y.creatorId ? -1 : 1,
  );
  for (const g of sorted) {
    const commissions = [...g.commissions].map(([id, amount]) => ({ id, amount })).sort(byId);
    const adjustments = [...g.adjustments].map(([id, amount]) => ({ id, amount })).sort(byId);
    const commissionTotal = commissions.reduce((s, c) => s + c.amount, 0);
    const adjustmentTotal = adjustments.reduce((s, a) => s + a.amount, 0);
    const balance = commissionTotal + adjustmentTotal;
    assertAmount(balance, "payout balance");
    const reason = carryOverReason(balance, input.minimumPayout(g.currency));
    if (reason) {
      carryOver.push({
        creatorId: g.creatorId,
        currency: g.currency,
        balance,
        reason,
        commissionIds: commissions.map((c) => c.id),
        adjustmentIds: adjustments.map((a) => a.id),
      });
      continue;
    }
    payouts.push({
      creatorId: g.creatorId,
      currency: g.currency,
      amount: balance,
      commissionTotal,
      adjustmentTotal,
      commissions,
      adjustments,
    });
  }
  return { payouts, carryOver };
}
