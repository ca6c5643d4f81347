// `npm run generate`: the types of ../../openapi.yaml into src/schema.d.ts with openapi-typescript.
// The drift test (check-types.mjs) generates through this same function, so the two cannot differ.
//
// --default-non-nullable false: a property with a `default` (SignInRequest.flow,
// ConfirmSignUpRequest.signIn, ...) stays optional; otherwise request bodies would require it.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = new URL("..", import.meta.url);
export const spec = fileURLToPath(new URL("../../openapi.yaml", root));
const cli = fileURLToPath(new URL("node_modules/openapi-typescript/bin/cli.js", root));

/** Generate into `output`; throws with openapi-typescript's stderr when the contract is refused. */
export function generate(output) {
  execFileSync(process.execPath, [cli, spec, "--output", output, "--default-non-nullable", "false"], {
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const output = fileURLToPath(new URL("src/schema.d.ts", root));
  try {
    generate(output);
  } catch (e) {
    console.error(`openapi-typescript could not read ${spec}:\n${e.stderr ?? e.message}`);
    process.exit(2);
  }
  console.log(`${spec} -> ${output}`);
}
