import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// The same check as `npm run check:types`, so `npm test` fails when the types drift from the contract.
it("src/schema.d.ts is what openapi-typescript generates from openapi.yaml", () => {
  const script = fileURLToPath(new URL("../scripts/check-types.mjs", import.meta.url));
  let out = "";
  try {
    execFileSync(process.execPath, [script], { encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    out = String((e as { stderr?: string }).stderr ?? e);
  }
  expect(out, out).toBe("");
}, 30_000);
