// utm_campaign / utm_content values: merchants read them in Shopify and GA reports, so they are short,
// lower-case ASCII and stable for a given name.
export function slugify(text: string, maxLength = 64): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, maxLength)
    .replace(/-+$/, "");
}
