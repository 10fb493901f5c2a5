/**
 * vite: a front-end production build, as `vite build` (7.x) prints it, often
 * behind `npm run build` (`tsc -b && vite build`).
 *
 * One app per run: its lazy routes, styles, fonts and images become the
 * output files. The reporter is vite's: assets, then CSS, then JS, each group
 * by ascending size; the names padded to the longest, sizes in kB (`1,148.04
 * kB` with a thousands separator) right-aligned, gzip sizes only for
 * compressible files and always smaller than the file; hashes are 8-character
 * base64url. A JS chunk over 500 kB turns yellow and brings the `(!) Some
 * chunks are larger than 500 kB` advice. On a terminal the `transforming (N)
 * path` counter and the `rendering chunks` / `computing gzip size` steps are
 * redrawn in place and cleared; in a pipe vite prints each step once.
 *
 * @module
 */

import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

const APPS = [
  {
    names: ["storefront-web", "kiosk-ui", "shopfront"],
    routes: ["Checkout", "Orders", "ProductPage", "Account", "Search", "Wishlist", "Returns"],
    vendor: ["react-vendor", "stripe"],
  },
  {
    names: ["dashboard", "ops-console", "atlas-web"],
    routes: ["Overview", "Reports", "Settings", "Users", "Billing", "AuditLog", "Integrations"],
    vendor: ["charts", "editor"],
  },
  {
    names: ["docs-portal", "fieldnotes", "helpdesk"],
    routes: ["Article", "Search", "Editor", "Tickets", "Profile", "Admin"],
    vendor: ["markdown", "highlight"],
  },
] as const;

const FONTS = [
  "inter-latin-wght-normal",
  "inter-latin-ext-wght-normal",
  "jetbrains-mono-latin-wght-normal",
];

const SOURCES = [
  "src/main.tsx",
  "src/App.tsx",
  "src/routes/index.tsx",
  "node_modules/react-dom/cjs/react-dom-client.production.js",
  "node_modules/@tanstack/query-core/build/modern/queryObserver.js",
  "node_modules/react-router/dist/development/chunk-PVWAREVJ.mjs",
  "src/components/Header.tsx",
  "src/lib/api.ts",
  "node_modules/zod/v4/core/schemas.js",
  "src/styles/index.css",
];

/** One output file. */
export interface OutputFile {
  /** Path inside `dist/`: `assets/index-BXk3Lmn2.js`. */
  name: string;
  group: "Assets" | "CSS" | "JS";
  /** Bytes. */
  size: number;
  /** Gzipped bytes (compressible files only). */
  gzip: number | undefined;
}

/** One build, drawn up front. */
export interface VitePlan {
  app: string;
  version: string;
  viaNpm: boolean;
  modules: number;
  files: OutputFile[];
  tscMs: number;
  transformMs: number;
  renderMs: number;
  gzipMs: number;
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** An 8-character base64url content hash, as Rollup 4 names files. */
export function hash8(rng: Rng): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += B64URL[rng.int(0, 63)];
  return s;
}

/** Draws one build. */
export function planBuild(rng: Rng): VitePlan {
  const app = rng.pick(APPS);
  const files: OutputFile[] = [];
  const add = (name: string, group: OutputFile["group"], size: number, ratio?: number) => {
    const bytes = Math.round(size);
    files.push({
      name,
      group,
      size: bytes,
      gzip: ratio === undefined ? undefined : Math.round(bytes * ratio),
    });
  };
  const big = rng.chance(0.35);
  add("index.html", "Assets", rng.int(420, 1400), rng.float(0.5, 0.65));
  for (const font of rng.sample(FONTS, rng.int(0, 2))) {
    add(`assets/${font}-${hash8(rng)}.woff2`, "Assets", rng.int(18_000, 48_000));
  }
  if (rng.chance(0.6)) add(`assets/logo-${hash8(rng)}.svg`, "Assets", rng.int(900, 9_000), 0.45);
  if (rng.chance(0.4)) add(`assets/hero-${hash8(rng)}.webp`, "Assets", rng.int(40_000, 240_000));
  add(`assets/index-${hash8(rng)}.css`, "CSS", rng.int(9_000, 95_000), rng.float(0.15, 0.22));
  const routes = rng.sample(app.routes, rng.int(2, app.routes.length));
  for (const r of routes) {
    if (rng.chance(0.3)) add(`assets/${r}-${hash8(rng)}.css`, "CSS", rng.int(400, 6_000), 0.3);
    add(`assets/${r}-${hash8(rng)}.js`, "JS", rng.logNormal(9_000, 1), rng.float(0.3, 0.4));
  }
  if (rng.chance(0.5)) {
    for (const v of app.vendor) {
      add(`assets/${v}-${hash8(rng)}.js`, "JS", rng.int(40_000, big ? 780_000 : 380_000), 0.3);
    }
  }
  add(
    `assets/index-${hash8(rng)}.js`,
    "JS",
    big ? rng.int(505_000, 1_450_000) : rng.int(140_000, 480_000),
    rng.float(0.27, 0.33),
  );
  const modules = rng.int(180, big ? 4200 : 1600);
  return {
    app: rng.pick(app.names),
    version: rng.pick(["7.1.9", "7.1.12", "7.2.2"]),
    viaNpm: rng.chance(0.6),
    modules,
    files,
    tscMs: rng.int(2_500, 14_000),
    transformMs: (modules / rng.float(350, 2000)) * 1000 + rng.int(300, 1500),
    renderMs: rng.int(250, 1800),
    gzipMs: rng.int(80, 900),
  };
}

/** vite's size: bytes / 1000, two decimals, thousands separators: `1,148.04 kB`. */
export function displaySize(bytes: number): string {
  const kb = (Math.round(bytes / 10) / 100).toFixed(2);
  const [int, frac] = kb.split(".") as [string, string];
  return `${int.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${frac} kB`;
}

/** The reporter's lines for the output files, in vite's order and alignment. */
export function reportLines(style: Style, files: readonly OutputFile[], limitKb = 500): string[] {
  const longest = Math.max(...files.map((f) => f.name.length));
  const sizePad = Math.max(...files.map((f) => displaySize(f.size).length));
  const gzipPad = Math.max(0, ...files.map((f) => (f.gzip ? displaySize(f.gzip).length : 0)));
  const color = { Assets: style.green, CSS: style.magenta, JS: style.cyan };
  const lines: string[] = [];
  for (const group of ["Assets", "CSS", "JS"] as const) {
    for (const f of files.filter((x) => x.group === group).sort((a, b) => a.size - b.size)) {
      const large = group === "JS" && f.size / 1000 > limitKb;
      const name = f.name.startsWith("assets/")
        ? style.dim("assets/") + color[group](f.name.slice(7).padEnd(longest + 2 - 7))
        : color[group](f.name.padEnd(longest + 2));
      const size = style.bold(
        (large ? style.yellow : style.dim)(displaySize(f.size).padStart(sizePad)),
      );
      const gzip = f.gzip ? style.dim(` │ gzip: ${displaySize(f.gzip).padStart(gzipPad)}`) : "";
      lines.push(`${style.dim("dist/")}${name}${size}${gzip}`);
    }
  }
  return lines;
}

/** `✓ built in 3.21s` / `✓ built in 812ms`. */
export function builtIn(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(2)}s`;
}

async function run(ctx: Context): Promise<void> {
  const { out, rng, style } = ctx;
  const plan = planBuild(rng);
  const tty = ctx.term.isTTY;
  if (plan.viaNpm) {
    out.line();
    out.line(`> ${plan.app}@0.0.0 build`);
    out.line("> tsc -b && vite build");
    out.line();
    await ctx.sleep(plan.tscMs);
  }
  const start = ctx.clock.now();
  out.line(`${style.cyan(`vite v${plan.version}`)} ${style.green("building for production...")}`);
  await ctx.sleep(rng.int(60, 300));
  if (!tty) out.line("transforming...");
  // The transform counter climbs quickly through the app, then through node_modules.
  let done = 0;
  const steps = Math.max(4, Math.round(plan.transformMs / 90));
  for (let i = 0; i < steps; i++) {
    done = Math.min(plan.modules, Math.round(plan.modules * Math.pow((i + 1) / steps, 0.8)));
    if (tty) out.live([`transforming (${done}) ${style.dim(rng.pick(SOURCES))}`]);
    await ctx.sleep(plan.transformMs / steps);
  }
  out.live([]);
  out.line(`${style.green("✓")} ${plan.modules} modules transformed.`);
  const chunks = plan.files.filter((f) => f.group === "JS").length;
  if (tty) {
    for (let i = 1; i <= chunks; i++) {
      out.live([`rendering chunks (${i})...`]);
      await ctx.sleep(plan.renderMs / chunks);
    }
    const compressible = plan.files.filter((f) => f.gzip !== undefined).length;
    for (let i = 1; i <= compressible; i++) {
      out.live([`computing gzip size (${i})...`]);
      await ctx.sleep(plan.gzipMs / compressible);
    }
    out.live([]);
  } else {
    out.line("rendering chunks...");
    await ctx.sleep(plan.renderMs);
    out.line("computing gzip size...");
    await ctx.sleep(plan.gzipMs);
  }
  for (const l of reportLines(style, plan.files)) out.line(l);
  if (plan.files.some((f) => f.group === "JS" && f.size > 500_000)) {
    out.line();
    for (
      const l of [
        "(!) Some chunks are larger than 500 kB after minification. Consider:",
        "- Using dynamic import() to code-split the application",
        "- Use build.rollupOptions.output.manualChunks to improve chunking: https://rollupjs.org/configuration-options/#output-manualchunks",
        "- Adjust chunk size limit for this warning via build.chunkSizeWarningLimit.",
      ]
    ) out.line(style.yellow(l));
  }
  out.line(style.green(`✓ built in ${builtIn(ctx.clock.now() - start)}`));
}

/** `vite build` of one front-end app. */
export const vite: Module = {
  name: "vite",
  signature: "vite build",
  about: "Build a front-end app for production with Vite",
  maxDurationMs: 40_000,
  run,
};
