// Bundles the designer and viewer widgets into egov/web/static/build/ (served by
// Django as static/build/*). One JS and, where the entry imports CSS, one CSS
// file per entry, so pages load them as static files under the strict CSP.
import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.join(here, "..", "egov", "web", "static", "build");
const watch = process.argv.includes("--watch");
// `node frontend/build.mjs form-viewer` builds only the named entries.
const only = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const entries = ["process-designer", "process-viewer", "form-designer", "form-viewer"];

// CSP (style-src 'self') blocks style="..." attributes. A few library files
// put them in HTML they build from strings; this plugin rewrites exactly those
// strings at bundle time (the same look comes from frontend/styles/*.css or
// from SVG presentation attributes) and fails the build when a string is no
// longer there, so a library upgrade cannot silently bring them back.
const INLINE_STYLE_FIXES = [
  {
    file: /bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js$/,
    replace: [
      [
        '<div style="height: 100%" tabindex="-1" class="bio-properties-panel-container">',
        '<div tabindex="-1" class="bio-properties-panel-container egov-pp-container">',
      ],
      [
        '<div style="flex: none; height: auto" class="bio-properties-panel bio-theme-parent bio-properties-panel-header-container">',
        '<div class="bio-properties-panel bio-theme-parent bio-properties-panel-header-container egov-pp-header">',
      ],
    ],
  },
  {
    file: /bpmn-js[\\/]lib[\\/]features[\\/](align|distribute)-elements[\\/]\w+Icons\.js$/,
    svgStyles: true,
  },
];

function svgPresentation(source) {
  return source.replace(/style="([^"]*)"/g, (match, declarations) =>
    declarations
      .split(";")
      .map((item) => item.trim())
      .filter(Boolean)
      .map((item) => {
        const [name, value] = item.split(":").map((part) => part.trim());
        return `${name}="${value}"`;
      })
      .join(" "),
  );
}

const inlineStylePlugin = {
  name: "egov-inline-styles",
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.m?js$/ }, async (args) => {
      const fix = INLINE_STYLE_FIXES.find((entry) => entry.file.test(args.path));
      if (!fix) {
        return undefined;
      }
      let source = await readFile(args.path, "utf8");
      for (const [from, to] of fix.replace || []) {
        if (!source.includes(from)) {
          throw new Error(`${args.path}: expected markup not found: ${from}`);
        }
        source = source.split(from).join(to);
      }
      if (fix.svgStyles) {
        source = svgPresentation(source);
      }
      if (source.includes('style="')) {
        throw new Error(`${args.path}: inline style attribute left after the rewrite`);
      }
      return { contents: source, loader: "js" };
    });
  },
};

const options = {
  plugins: [inlineStylePlugin],
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
