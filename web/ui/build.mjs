// Builds the front end into dist/: dist/index.html plus content-hashed files
// under dist/assets/ (JS, CSS, Leaflet's images). web/ui.go embeds dist/ and
// serves the assets with a long cache lifetime, index.html with none.
//
//   node build.mjs            production build (minified, no source maps)
//   node build.mjs --dev      unminified, with linked source maps
//   node build.mjs --watch    --dev, rebuilding on every change
//
// Nothing comes from a CDN: Leaflet's CSS and images, Geoman's CSS (its icons
// are data: URLs) are bundled; the page uses the system's fonts.
import * as esbuild from "esbuild";
import { readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { gzipSync, constants as zlib } from "node:zlib";

const watch = process.argv.includes("--watch");
const dev = watch || process.argv.includes("--dev");
const outdir = "dist";
const keep = new Set(["PLACEHOLDER.txt"]); // committed, see .gitignore

async function clean() {
  await mkdir(outdir, { recursive: true });
  for (const name of await readdir(outdir)) {
    if (!keep.has(name)) await rm(path.join(outdir, name), { recursive: true, force: true });
  }
}

// precompress writes NAME.gz beside each text asset; the server sends it to
// clients that accept gzip (the JS shrinks about 3.5×).
async function precompress(metafile) {
  let raw = 0, gz = 0;
  for (const file of Object.keys(metafile.outputs)) {
    if (!/\.(js|css|svg)$/.test(file)) continue;
    const body = await readFile(file);
    const z = gzipSync(body, { level: zlib.Z_BEST_COMPRESSION });
    await writeFile(file + ".gz", z);
    raw += body.length;
    gz += z.length;
  }
  return { raw, gz };
}

// writeIndex puts the hashed names of the entry's JS and CSS into
// src/index.html and writes it to dist/index.html.
async function writeIndex(metafile) {
  let js = "", css = "";
  for (const [file, out] of Object.entries(metafile.outputs)) {
    if (out.entryPoint !== "src/main.ts") continue;
    if (file.endsWith(".js")) js = "/" + path.relative(outdir, file).split(path.sep).join("/");
  }
  for (const [file, out] of Object.entries(metafile.outputs)) {
    if (file.endsWith(".css") && out.inputs && Object.keys(out.inputs).length > 0) {
      css = "/" + path.relative(outdir, file).split(path.sep).join("/");
    }
  }
  if (!js || !css) throw new Error(`build: entry outputs not found (js=${js || "?"}, css=${css || "?"})`);
  const tpl = await readFile("src/index.html", "utf8");
  const html = tpl.replaceAll("%APP_JS%", js).replaceAll("%APP_CSS%", css);
  await writeFile(path.join(outdir, "index.html"), html);
}

const indexPlugin = {
  name: "index-html",
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length === 0 && result.metafile) {
        await writeIndex(result.metafile);
        const total = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
        const { raw, gz } = dev ? { raw: 0, gz: 0 } : await precompress(result.metafile);
        const kib = (n) => (n / 1024).toFixed(0) + " KiB";
        console.log(`gridplan ui: ${Object.keys(result.metafile.outputs).length} files, ${kib(total)} in ${outdir}/assets` + (gz ? ` (JS+CSS ${kib(raw)}, gzipped ${kib(gz)})` : ""));
      }
    });
  },
};

const options = {
  entryPoints: { app: "src/main.ts" },
  bundle: true,
  format: "iife",
  target: ["es2022", "chrome110", "firefox115", "safari16"],
  outdir: path.join(outdir, "assets"),
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  publicPath: "/assets",
  loader: { ".png": "file", ".svg": "file", ".woff2": "file" },
  minify: !dev,
  sourcemap: dev ? "linked" : false,
  legalComments: dev ? "inline" : "eof",
  metafile: true,
  logLevel: "warning",
  define: { "process.env.NODE_ENV": dev ? '"development"' : '"production"' },
  plugins: [indexPlugin],
};

await clean();
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log("gridplan ui: watching src/ (Ctrl-C to stop)");
} else {
  await esbuild.build(options);
}
