/**
 * The rules of the code base that no behaviour test sees, checked on the
 * source: the engine (core/) imports neither cli/ nor app/ and touches no
 * runtime API; modules keep the module contract; every module is exported
 * under its CLI name; a plain run's module graph leaves out the panes'
 * terminal emulator; the README's usage block is the `--help` text and its
 * module table is the registry.
 */

import assert from "node:assert/strict";
import config from "../deno.json" with { type: "json" };
import { helpText } from "../cli/help.ts";

const ROOT = new URL("..", import.meta.url);

/** Every `.ts` file under `dir` (relative to the repository), recursively. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(new URL(dir, ROOT))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

function read(path: string): string {
  return Deno.readTextFileSync(new URL(path, ROOT));
}

/**
 * The code of a TypeScript source with comments, string literals, template
 * text and regular expression literals blanked out (template `${}` parts
 * stay): what is left can be searched for calls without matching data such
 * as `"sd-vconsole: ..."`.
 */
function codeOnly(source: string): string {
  let out = "";
  let i = 0;
  const braces: number[] = []; // brace depth at each open `${`
  let depth = 0;
  let lastSignificant = "";
  const blank = (text: string) => text.replace(/[^\n]/g, " ");
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? source.length : end;
      out += blank(source.slice(i, stop));
      i = stop;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += blank(source.slice(i, stop));
      i = stop;
      continue;
    }
    if (c === "/" && (lastSignificant === "" || "(,=:[!&|?{};+-*%<>~^".includes(lastSignificant))) {
      let j = i + 1;
      let inClass = false;
      while (j < source.length && source[j] !== "\n") {
        if (source[j] === "\\") j++;
        else if (source[j] === "[") inClass = true;
        else if (source[j] === "]") inClass = false;
        else if (source[j] === "/" && !inClass) break;
        j++;
      }
      out += `/${blank(source.slice(i + 1, j))}/`;
      i = j + 1;
      lastSignificant = "/";
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== "\n") {
        if (source[j] === "\\") j++;
        j++;
      }
      out += c + blank(source.slice(i + 1, j)) + c;
      i = j + 1;
      lastSignificant = c;
      continue;
    }
    if (c === "`" || (c === "}" && braces.length > 0 && braces[braces.length - 1] === depth)) {
      if (c === "}") braces.pop();
      // Template text up to the closing backtick or the next `${`.
      let j = i + 1;
      while (
        j < source.length && source[j] !== "`" && !(source[j] === "$" && source[j + 1] === "{")
      ) {
        if (source[j] === "\\") j++;
        j++;
      }
      out += c + blank(source.slice(i + 1, j));
      if (source[j] === "$") {
        out += "${";
        braces.push(depth);
        i = j + 2;
        lastSignificant = "{";
      } else {
        out += "`";
        i = j + 1;
        lastSignificant = "`";
      }
      continue;
    }
    if (c === "{") depth++;
    if (c === "}") depth--;
    if (!/\s/.test(c)) lastSignificant = c;
    out += c;
    i++;
  }
  return out;
}

/** Import specifiers of a source: static imports and exports, and literal dynamic imports. */
function imports(source: string, withTypes = true): string[] {
  const found: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?[^;]*?\bfrom\s+"([^"]+)"/gms;
  for (const match of source.matchAll(statement)) {
    if (withTypes || match[2] === undefined) found.push(match[3] as string);
  }
  for (const match of source.matchAll(/^\s*import\s+"([^"]+)"/gm)) found.push(match[1] as string);
  for (const match of source.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) {
    found.push(match[1] as string);
  }
  return found;
}

Deno.test("core/ is the engine: no import of cli/ or app/, no Deno API, timers only in the clock", () => {
  const problems: string[] = [];
  for (const file of sourceFiles("core")) {
    const source = read(file);
    for (const specifier of imports(source)) {
      if (/(^|\/)(cli|app)\//.test(specifier)) problems.push(`${file} imports ${specifier}`);
    }
    const code = codeOnly(source);
    if (/\bDeno\./.test(code)) problems.push(`${file} uses Deno.*`);
    if (file !== "core/clock.ts" && /\b(setTimeout|setInterval|performance\.now)\b/.test(code)) {
      problems.push(`${file} uses a timer or the wall clock outside core/clock.ts`);
    }
  }
  assert.deepEqual(problems, []);
});

/** What modules may import from the engine. */
const ENGINE_FOR_MODULES = ["rng", "types", "style", "format", "ansi", "screen", "clock"];

/**
 * Modules that reach another module directly instead of through the registry,
 * kept here so the list can only shrink (docker_build runs uv or composer
 * inside its build: it should go through `loadModule`).
 */
const KNOWN_DIRECT_IMPORTS = new Set([
  "modules/docker_build.ts -> ./uv.ts",
  "modules/docker_build.ts -> ./composer.ts",
]);

Deno.test("modules keep the contract: no runtime, console, randomness, wall clock or timers", () => {
  const problems: string[] = [];
  const forbidden: [RegExp, string][] = [
    [/\bDeno\./, "Deno.*"],
    [/\bconsole\./, "console"],
    [/\bMath\.random\b/, "Math.random"],
    [/\bDate\.now\b/, "Date.now"],
    [/\bnew Date\(\s*\)/, "new Date()"],
    [/\b(setTimeout|setInterval|queueMicrotask|requestAnimationFrame)\b/, "timers"],
    [/\bperformance\./, "performance"],
    [/\bcrypto\./, "crypto"],
    [/\bglobalThis\b/, "globalThis"],
  ];
  for (const file of sourceFiles("modules")) {
    if (file === "modules/registry.ts" || file === "modules/mod.ts") continue;
    const source = read(file);
    const code = codeOnly(source);
    for (const [pattern, what] of forbidden) {
      if (pattern.test(code)) problems.push(`${file} uses ${what}`);
    }
    const inFolder = file.split("/").length > 2; // modules/<name>/<file>.ts
    for (const specifier of imports(source)) {
      const engine = /^(?:\.\.\/)+core\/([a-z_]+)\.ts$/.exec(specifier);
      if (engine) {
        if (!ENGINE_FOR_MODULES.includes(engine[1] as string)) {
          problems.push(`${file} imports the engine's ${specifier}`);
        }
        continue;
      }
      if (/^(?:\.\.\/)+data\/[a-z_0-9]+\.json$/.test(specifier)) continue;
      if (inFolder && /^\.\/[a-z_0-9]+\.(ts|json)$/.test(specifier)) continue; // its own folder
      if (KNOWN_DIRECT_IMPORTS.has(`${file} -> ${specifier}`)) continue;
      problems.push(`${file} imports ${specifier}`);
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("the scan sees code, not data: a string that names console is not a console call", () => {
  const code = codeOnly(
    [
      `const a = 'sd-vconsole: "/etc/vconsole.conf" not found';`,
      "const b = `console.log ${x + 'Date.now'} Math.random`; // console.log",
      "/* Deno.exit */ const c = /Deno\\.exit/.test(d);",
      "console.log(a);",
    ].join("\n"),
  );
  assert.equal((code.match(/\bconsole\./g) ?? []).length, 1);
  assert.ok(!/Date\.now|Math\.random|Deno\./.test(code));
  assert.ok(code.includes("${x +"), "template expressions are code");
});

Deno.test("every module is exported under its CLI name (snake_case)", () => {
  const registry = read("modules/registry.ts");
  const entries = [
    ...registry.matchAll(
      /^\s*([a-z_0-9]+): async \(\) => \(await import\("[^"]+"\)\)\.([A-Za-z_0-9]+),$/gm,
    ),
  ];
  assert.ok(entries.length >= 20, `only ${entries.length} registry entries found`);
  for (const [, name, exported] of entries) assert.equal(exported, name);
});

Deno.test("a plain run's module graph leaves out @xterm/headless; --panes reaches it", () => {
  const seen = new Set<string>();
  const npm: string[] = [];
  const walk = (file: URL) => {
    if (seen.has(file.href)) return;
    seen.add(file.href);
    for (const specifier of imports(read(file.pathname.slice(ROOT.pathname.length)), false)) {
      if (specifier.startsWith(".")) {
        if (!specifier.endsWith(".json")) walk(new URL(specifier, file));
      } else npm.push(specifier);
    }
  };
  walk(new URL("main.ts", ROOT));
  assert.ok(seen.has(new URL("core/panes/vt.ts", ROOT).href), "the panes are no longer reachable");
  assert.deepEqual(npm, [], "bare (npm) imports in the graph of main.ts");
  assert.equal(config.imports["@xterm/headless"].startsWith("npm:"), true);
});

Deno.test("the panes load the @xterm/headless that deno.json pins", async () => {
  const { XTERM_SPECIFIER } = await import("../core/panes/xterm.ts");
  assert.equal(XTERM_SPECIFIER, config.imports["@xterm/headless"]);
});

Deno.test("the README's usage block is the --help text", () => {
  const readme = read("README.md");
  const start = readme.indexOf("## Usage\n\n```\n");
  assert.ok(start >= 0, "no usage block in README.md");
  const from = start + "## Usage\n\n```\n".length;
  const block = readme.slice(from, readme.indexOf("```", from)).trimEnd();
  const help = helpText(config.version, (s) => s, 100);
  const usage = help.slice(help.indexOf("Usage:"), help.indexOf("\nExamples:")).trimEnd();
  assert.equal(
    block,
    usage,
    "README.md's usage block differs from `denact --help` (at 100 columns)",
  );
});

Deno.test("the README's module table lists exactly the registry's modules, with their signatures", async () => {
  const { loadModules } = await import("../modules/registry.ts");
  const readme = read("README.md");
  const section = readme.slice(readme.indexOf("## Modules\n"), readme.indexOf("## Split panes"));
  const rows = [...section.matchAll(/^\| `([a-z_]+)` +\| `(.*?)` +\|/gm)].map((m) => ({
    name: m[1],
    signature: m[2].replaceAll("\\|", "|"),
  }));
  const modules = await loadModules();
  assert.deepEqual(rows, modules.map((m) => ({ name: m.name, signature: m.signature })));
  assert.ok(section.includes(`${modules.length} modules;`), "the count in the README is stale");
});
