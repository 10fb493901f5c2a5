/**
 * `deno task web:build`: bundles `web/main.ts` for the browser with
 * `deno bundle` and writes one self-contained page, `dist/denact.html`, that
 * works from a web server and straight from disk.
 *
 * @module
 */

import { assemblePage } from "./page.ts";

const ROOT = new URL("../", import.meta.url);

/** Where the page is written. */
export const PAGE_PATH: string = new URL("dist/denact.html", ROOT).pathname;

/** The import map for the browser bundle: deno.json's imports. */
async function browserImportMap(): Promise<{ imports: Record<string, string> }> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  return {
    imports: {
      ...config.imports,
    },
  };
}

/** Bundles the browser entry and returns the minified ES module, with no import left. */
async function bundleScript(): Promise<string> {
  const entry = new URL("web/main.ts", ROOT).pathname;
  const importMap = "data:application/json," +
    encodeURIComponent(JSON.stringify(await browserImportMap()));
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--minify",
      "--import-map",
      importMap,
      entry,
    ],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno bundle failed:\n${new TextDecoder().decode(stderr)}`);
  }
  const script = new TextDecoder().decode(stdout);
  const leftover = leftoverImport(script);
  if (leftover) throw new Error(`the bundle still imports '${leftover}'`);
  return script;
}

/** Builds the page and writes it to {@linkcode PAGE_PATH}; returns its size in bytes. */
export async function buildPage(): Promise<number> {
  // Bundling first also installs @xterm/xterm into node_modules on a fresh clone.
  const script = await bundleScript();
  const css = await Deno.readTextFile(new URL("node_modules/@xterm/xterm/css/xterm.css", ROOT));
  const page = await assemblePage({ script, css });
  await Deno.mkdir(new URL("dist/", ROOT), { recursive: true });
  const bytes = new TextEncoder().encode(page);
  await Deno.writeFile(PAGE_PATH, bytes);
  return bytes.length;
}

/** A module path or a scheme (./x.ts, /x, npm:, node:, https:), as a leftover import names it. */
const SPECIFIER = String.raw`["'\`]((?:\.{0,2}\/|[a-z][a-z0-9+.-]*:)[^"'\`]*)["'\`]`;
/** The bundler hoists static imports (and re-exports) to the top of its output. */
const LEADING_IMPORT = new RegExp(
  String.raw`^\s*(?:(?:import|export)\b[^;]*?\bfrom\s*|import\s*)` + SPECIFIER,
);
/** A dynamic import of a literal, wherever it is. */
const DYNAMIC_IMPORT = new RegExp(String.raw`\bimport\s*\(\s*` + SPECIFIER);

/**
 * The specifier of an import the bundle left in `script`, or undefined. Only
 * the script's leading statements and dynamic `import(...)` calls count: text
 * the modules print (an agent's TypeScript diff with `from "./types"`) is data.
 */
export function leftoverImport(script: string): string | undefined {
  return (LEADING_IMPORT.exec(script) ?? DYNAMIC_IMPORT.exec(script))?.[1];
}

if (import.meta.main) {
  const size = await buildPage();
  console.log(`wrote ${PAGE_PATH} (${Math.round(size / 1024)} KiB)`);
}
