// The typed client is the repository's own (`clients/typescript`), compiled with the app from
// its source; `openapi-fetch`, which it imports, resolves from this app's node_modules, so one
// `npm ci` here builds the app.
//
// `npm run dev` and `npm run preview` serve /config.json themselves, pointing at the API in
// API_URL (default: the local stack, http://127.0.0.1:3000); a deployment serves its own.

import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const client = fileURLToPath(new URL("../clients/typescript/src/index.ts", import.meta.url));

function devConfig(): Plugin {
  const body = JSON.stringify({ apiUrl: process.env.API_URL ?? "http://127.0.0.1:3000" });
  const serve: Plugin["configureServer"] = (server) => {
    server.middlewares.use("/config.json", (_req, res) => {
      res.setHeader("content-type", "application/json");
      res.setHeader("cache-control", "no-store");
      res.end(body);
    });
  };
  return { name: "dev-config-json", configureServer: serve, configurePreviewServer: serve as Plugin["configurePreviewServer"] };
}

export default defineConfig({
  resolve: {
    alias: { "@cognito-api/client": client },
    dedupe: ["openapi-fetch"],
  },
  plugins: [devConfig()],
  build: {
    target: "es2022",
    // No source maps in dist: the served app stays small. `vite build --sourcemap` adds them.
  },
});
