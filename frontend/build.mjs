// Bundles the designer and viewer widgets into egov/web/static/build/ (served by
// Django as static/build/*). One JS and, where the entry imports CSS, one CSS
// file per entry, so pages load them as static files under the strict CSP.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.join(here, "..", "egov", "web", "static", "build");
const watch = process.argv.includes("--watch");
// `node frontend/build.mjs form-viewer` builds only the named entries.
const only = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const entries = ["process-viewer", "form-designer", "form-viewer"];

const options = {
  entryPoints: Object.fromEntries(
    entries
      .filter((name) => !only.length || only.includes(name))
      .map((name) => [name, path.join(here, `${name}.js`)]),
  ),
  bundle: true,
  format: "iife",
  target: ["es2020"],
  minify: !watch && !process.env.EGOV_ASSETS_DEV,
  sourcemap: true,
  outdir,
  legalComments: "linked",
  // Fonts and icons referenced from the libraries' CSS become files beside it.
  loader: {
    ".woff": "file",
    ".woff2": "file",
    ".ttf": "file",
    ".eot": "file",
    ".svg": "file",
    ".png": "file",
  },
  assetNames: "assets/[name]-[hash]",
  logLevel: watch ? "info" : "warning",
};

if (watch) {
  const { context } = await import("esbuild");
  const ctx = await context(options);
  await ctx.watch();
} else {
  await build(options);
}
