// The drift test: regenerate the types from ../../openapi.yaml into a temporary file, exactly as
// `npm run generate` does, and fail when they differ from the committed src/schema.d.ts.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate, spec } from "./generate.mjs";

const committed = fileURLToPath(new URL("../src/schema.d.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "cognito-api-schema-"));
const fresh = join(dir, "schema.d.ts");

try {
  try {
    generate(fresh);
  } catch (e) {
    console.error(`openapi-typescript could not read ${spec}:\n${e.stderr ?? e.message}`);
    process.exit(2);
  }
  const want = readFileSync(fresh, "utf8").split("\n");
  const have = readFileSync(committed, "utf8").split("\n");
  const at = want.findIndex((line, i) => line !== have[i]);
  if (at === -1 && want.length === have.length) {
    console.log("src/schema.d.ts matches openapi.yaml");
  } else {
    const line = at === -1 ? Math.min(want.length, have.length) : at;
    console.error(
      `src/schema.d.ts has drifted from openapi.yaml (first difference at line ${line + 1}).\n` +
        `  committed:   ${JSON.stringify(have[line] ?? "<end of file>")}\n` +
        `  regenerated: ${JSON.stringify(want[line] ?? "<end of file>")}\n` +
        "Run `npm run generate` in clients/typescript and commit src/schema.d.ts.",
    );
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
