/**
 * `deno task build`: the published program, built from the unchanged source.
 * `main.ts` becomes a code-split, minified bundle in `bundle/` (git ignores
 * it): `main.js` holds what every run needs, each module, the help, the
 * completions, the man page and the pane code are chunks loaded only when a
 * run asks for them, and `@xterm/headless` stays an import of the pane chunk
 * alone. Deno then reads one small graph at start instead of a hundred
 * files (issue 14). `main.d.ts` declares the entry's exports, and `main.js`
 * points at it with `// @ts-self-types`, so JSR documents and type-checks the
 * package from it. JSR and the release binaries get this bundle; `.ci/run`
 * runs the CLI tests against it.
 *
 * ```sh
 * deno task build            # bundle/
 * deno run -A scripts/build.ts --out-dir /tmp/b
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";

const ROOT = new URL("..", import.meta.url).pathname.replace(/^\/([A-Za-z]:)/, "$1");

/** Where `deno task build` writes the bundle, relative to the repository. */
export const BUNDLE_DIR = "bundle";
/** The bundle's entry (what JSR exports and `deno compile` compiles). */
export const BUNDLE_ENTRY = `${BUNDLE_DIR}/main.js`;
/** Packages left out of the bundle: imported by the chunk that uses them, at run time. */
export const EXTERNAL = ["@xterm/headless"] as const;

/** The `deno bundle` arguments that build `entry` into `outDir`. */
export function bundleArgs(outDir: string, entry = "main.ts"): string[] {
  return [
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    ...EXTERNAL.flatMap((name) => ["--external", name]),
    "--code-splitting",
    "--minify",
    "--declaration",
    "--outdir",
    outDir,
    entry,
  ];
}

/** The entry's code with the `@ts-self-types` directive naming its declaration first. */
export function withSelfTypes(code: string, declaration = "./main.d.ts"): string {
  const directive = `// @ts-self-types="${declaration}"\n`;
  return code.startsWith(directive) ? code : directive + code;
}

/**
 * The specifiers `code` imports statically (`import … from "x"`, `import "x"`,
 * `export … from "x"`), not the dynamic `import("x")` that loads a chunk on use.
 */
export function staticImports(code: string): string[] {
  const found: string[] = [];
  const pattern = /(?:^|[;\s}])(?:import|export)\s*(?:[\w*${}\s,]+?\s*from\s*)?["']([^"']+)["']/g;
  for (const match of code.matchAll(pattern)) found.push(match[1] as string);
  return found;
}

/**
 * Every file of the bundle in `dir` that loading `entry` reads before any
 * code runs (its static import closure), with the packages they import.
 */
export async function eagerGraph(
  dir: string,
  entry = "main.js",
): Promise<{ files: string[]; packages: string[] }> {
  const files: string[] = [];
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (files.includes(file)) continue;
    let code: string;
    try {
      code = await Deno.readTextFile(`${dir}/${file}`);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue; // import-like text in a string
      throw error;
    }
    files.push(file);
    for (const specifier of staticImports(code)) {
      if (specifier.startsWith("./")) queue.push(specifier.slice(2));
      else packages.add(specifier);
    }
  }
  return { files, packages: [...packages].sort() };
}

/** Builds the bundle into `outDir` (emptied first); resolves with the entry's path. */
export async function buildBundle(outDir = `${ROOT}${BUNDLE_DIR}`): Promise<string> {
  await Deno.remove(outDir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: bundleArgs(outDir, `${ROOT}main.ts`),
    cwd: ROOT,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno bundle failed (${code}):\n${new TextDecoder().decode(stderr)}`);
  }
  const entry = `${outDir}/main.js`;
  await Deno.writeTextFile(entry, withSelfTypes(await Deno.readTextFile(entry)));
  await Deno.stat(`${outDir}/main.d.ts`);
  const eager = await eagerGraph(outDir);
  const loaded = EXTERNAL.filter((name) => eager.packages.includes(name));
  if (loaded.length > 0) {
    throw new Error(
      `the bundle loads ${loaded.join(", ")} on every run (through ${eager.files.join(", ")})`,
    );
  }
  return entry;
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { "out-dir": { type: "string" } } });
  const entry = await buildBundle(values["out-dir"]);
  const dir = entry.slice(0, entry.lastIndexOf("/"));
  let files = 0;
  let bytes = 0;
  for await (const file of Deno.readDir(dir)) {
    files++;
    bytes += (await Deno.stat(`${dir}/${file.name}`)).size;
  }
  let eagerBytes = 0;
  const eager = await eagerGraph(dir);
  for (const file of eager.files) eagerBytes += (await Deno.stat(`${dir}/${file}`)).size;
  console.log(
    `wrote ${entry} (${files} files, ${
      Math.round(bytes / 1024)
    } KiB; a run starts with ${eager.files.length} files, ${
      Math.round(eagerBytes / 1024)
    } KiB, packages: ${eager.packages.join(", ") || "none"})`,
  );
}
