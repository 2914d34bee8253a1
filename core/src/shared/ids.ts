import { randomToken } from "../links/click-id.ts";

// Prefixed ids tell at a glance what a row is (st_ store, cp_ campaign, cr_ creator, ...).
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(20)}`;
}
