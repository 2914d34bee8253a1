export declare const MAX_BUNDLE_BYTES: number;
export declare function buildPixel(options?: { outfile?: string; minify?: boolean }): Promise<{
  outfile: string;
  bytes: number;
}>;
