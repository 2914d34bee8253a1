import pg from "pg";
import { CLICK_COLUMNS, type ClickWriter } from "./click-writer.ts";

/**
 * A small pg pool of its own; a group is one INSERT … SELECT FROM unnest(column arrays), so the statement
 * has ten parameters whatever the group size and is prepared once per connection. PostgreSQL's default
 * synchronous_commit makes the commit durable before the query returns.
 */
export function postgresClickWriter(url: string, maxConnections = 4): ClickWriter {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  // An idle pooled connection that fails must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const text =
    `INSERT INTO "Click" (${CLICK_COLUMNS}) SELECT * FROM unnest($1::text[],$2::text[],$3::text[],$4::text[],` +
    `$5::text[],$6::text[],$7::text[],$8::text[],$9::text[],$10::timestamp(3)[])`;
  return {
    async write(rows) {
      const id: string[] = [];
      const store: string[] = [];
      const link: string[] = [];
      const campaign: string[] = [];
      const creator: string[] = [];
      const visitor: string[] = [];
      const qualification: string[] = [];
      const country: (string | null)[] = [];
      const referrer: (string | null)[] = [];
      const at: string[] = [];
      for (const r of rows) {
        id.push(r.id);
        store.push(r.storeId);
        link.push(r.linkId);
        campaign.push(r.campaignId);
        creator.push(r.creatorId);
        visitor.push(r.visitorHash);
        qualification.push(r.qualification);
        country.push(r.country);
        referrer.push(r.referrerHost);
        // An ISO string cast to timestamp keeps the UTC wall time, as Prisma stores it, whatever the
        // session time zone.
        at.push(r.occurredAt.toISOString());
      }
      await pool.query({
        name: "trailmark_click_insert",
        text,
        values: [id, store, link, campaign, creator, visitor, qualification, country, referrer, at],
      });
    },
    close: () => pool.end(),
  };
}
