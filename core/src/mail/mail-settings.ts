import { z } from "zod";
import type { Db } from "../db/client.ts";
import type { Tx } from "../db/lock-rows.ts";
import { OPTIONAL_KINDS, type OptionalKind } from "./mail-kinds.ts";

// A creator's mail settings for one store (CreatorMailSetting, written only here): the optional kinds they turned
// off (from an unsubscribe link or the portal's Settings page) and the language their mails are written in.

export interface MailSetting {
  off: OptionalKind[];
  locale: "en" | "fr" | null;
}

const OffSchema = z.array(z.enum(OPTIONAL_KINDS));

function parseOff(json: string): OptionalKind[] {
  const parsed = OffSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : [];
}

export async function mailSettingOf(db: Db | Tx, storeId: string, creatorId: string): Promise<MailSetting> {
  const row = await db.creatorMailSetting.findUnique({ where: { storeId_creatorId: { storeId, creatorId } } });
  return {
    off: row ? parseOff(row.off) : [],
    locale: row?.locale === "en" || row?.locale === "fr" ? row.locale : null,
  };
}

/** Turns one kind off (an unsubscribe link) or on; idempotent. */
export async function setMailKind(
  db: Db,
  storeId: string,
  creatorId: string,
  kind: OptionalKind,
  on: boolean,
): Promise<void> {
  await db.$transaction(async (tx) => {
    const current = await mailSettingOf(tx, storeId, creatorId);
    const off = new Set(current.off);
    if (on) off.delete(kind);
    else off.add(kind);
    await writeOff(tx, storeId, creatorId, [...off]);
  });
}

/** The Settings page's form: exactly these kinds are on. */
export async function setMailKinds(db: Db, storeId: string, creatorId: string, on: readonly OptionalKind[]) {
  await writeOff(
    db,
    storeId,
    creatorId,
    OPTIONAL_KINDS.filter((k) => !on.includes(k)),
  );
}

async function writeOff(db: Db | Tx, storeId: string, creatorId: string, off: OptionalKind[]) {
  const value = JSON.stringify(OPTIONAL_KINDS.filter((k) => off.includes(k)));
  await db.creatorMailSetting.upsert({
    where: { storeId_creatorId: { storeId, creatorId } },
    create: { storeId, creatorId, off: value },
    update: { off: value },
  });
}

/** The portal's language choice, copied to each of the creator's stores so their mails follow it. */
export async function setMailLocale(
  db: Db,
  creators: readonly { storeId: string; creatorId: string }[],
  locale: "en" | "fr" | null,
): Promise<void> {
  for (const { storeId, creatorId } of creators)
    await db.creatorMailSetting.upsert({
      where: { storeId_creatorId: { storeId, creatorId } },
      create: { storeId, creatorId, locale },
      update: { locale },
    });
}

export async function eraseStoreMailSettings(tx: Tx, storeId: string): Promise<number> {
  return (await tx.creatorMailSetting.deleteMany({ where: { storeId } })).count;
}
