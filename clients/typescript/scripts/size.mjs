// The size budget: bundle src/index.ts as a browser app would (ESM, minified, openapi-fetch
// included), gzip it at level 9, print one JSON line, and fail when over the budget.
import { build } from "esbuild";
import { gzipSync } from "node:zlib";

const BUDGET_GZIP_BYTES = 6144;

const { outputFiles } = await build({
  entryPoints: [new URL("../src/index.ts", import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  outfile: "client.min.js",
  logLevel: "warning",
});
const code = outputFiles[0].contents;
const gzip = gzipSync(code, { level: 9 }).length;
console.log(JSON.stringify({ client_gzip_bytes: gzip, client_min_bytes: code.length, budget_gzip_bytes: BUDGET_GZIP_BYTES }));
if (gzip > BUDGET_GZIP_BYTES) {
  console.error(`over budget: ${gzip} > ${BUDGET_GZIP_BYTES} bytes gzipped`);
  process.exit(1);
}
