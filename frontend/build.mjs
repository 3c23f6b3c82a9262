// Builds app/static/dist/ (served at /static/dist/) from src/ and the pinned npm packages.
// Run with `npm run build` (the Makefile's `assets` target does it).
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as esbuild from "esbuild";
import * as sass from "sass";

const out = new URL("../app/static/dist/", import.meta.url).pathname;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// GOV.UK + MOJ styles with Arial.  MOJ's Sass imports "node_modules/govuk-frontend/...", hence
// the "." load path.  MOJ 11 still calls GOV.UK mixins that GOV.UK 6 deprecates: those warnings
// are theirs, not ours, so they are dropped; any other warning is shown.
const css = sass.compile("src/app.scss", {
  loadPaths: [".", "node_modules"],
  style: "compressed",
  quietDeps: true,
  logger: {
    warn(message, { deprecation, stack }) {
      if (message.includes("$govuk-suppressed-warnings")) return;
      console.warn(`sass ${deprecation ? "deprecation" : "warning"}: ${message}\n${stack ?? ""}`);
    },
  },
});
writeFileSync(out + "app.css", css.css);

// Scripts (one self-contained file each) and the bpmn-js stylesheets with their font: the viewer,
// and the modeler (bpmn-js, properties panel, Camunda 7 moddle; camunda.json through esbuild's
// built-in JSON loader).
await esbuild.build({
  entryPoints: [
    "src/app.js",
    "src/bpmn-viewer.js",
    "src/bpmn-viewer.css",
    "src/modeler.js",
    "src/modeler.css",
  ],
  outdir: out,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  loader: { ".eot": "file", ".svg": "file", ".ttf": "file", ".woff": "file", ".woff2": "file" },
  assetNames: "assets/fonts/[name]-[hash]",
  legalComments: "eof",
  logLevel: "warning",
});

// Images the CSS points at: GOV.UK's and MOJ's icons, but none with the crown, the royal crest or
// MOJ branding (GOV.UK's favicon, app icons and crest all show them), and no fonts (no GDS
// Transport).  The favicon is our own plain one.
const images = out + "assets/images";
cpSync("node_modules/govuk-frontend/dist/govuk/assets/images", images, {
  recursive: true,
  filter: (path) => !/(favicon|govuk-icon|govuk-opengraph|govuk-crest)/.test(path),
});
cpSync("node_modules/@ministryofjustice/frontend/moj/assets/images", images, {
  recursive: true,
  filter: (path) => !/(logotype|apple-touch|opengraph)/.test(path),
});
cpSync("src/images", images, { recursive: true });
// axe-core for the accessibility checks in the browser tests.
cpSync("node_modules/axe-core/axe.min.js", out + "axe.min.js");
console.log(`built ${out}`);
