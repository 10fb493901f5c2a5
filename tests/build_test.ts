/**
 * The published bundle's recipe (`deno task build`, scripts/build.ts): the
 * flags issue 14 measured, the `@ts-self-types` directive, the graph a run
 * loads eagerly, and deno.json publishing the bundle and nothing else.
 */

import assert from "node:assert/strict";
import config from "../deno.json" with { type: "json" };
import {
  BUNDLE_DIR,
  BUNDLE_ENTRY,
  bundleArgs,
  eagerGraph,
  staticImports,
  withSelfTypes,
} from "../scripts/build.ts";
import { compileArgs } from "../scripts/release_lib.ts";

Deno.test("the bundle is code-split, minified, with declarations, and keeps xterm external", () => {
  const args = bundleArgs("out", "main.ts");
  assert.deepEqual(args.slice(0, 2), ["bundle", "--quiet"]);
  for (const flag of ["--code-splitting", "--minify", "--declaration"]) {
    assert.ok(args.includes(flag));
  }
  assert.deepEqual(args.slice(args.indexOf("--platform"), args.indexOf("--platform") + 2), [
    "--platform",
    "deno",
  ]);
  assert.equal(args[args.indexOf("--external") + 1], "@xterm/headless");
  assert.deepEqual(args.slice(-3), ["--outdir", "out", "main.ts"]);
});

Deno.test("withSelfTypes() puts the directive first, once", () => {
  const code = 'import{a}from"./chunk.js";a();';
  const typed = withSelfTypes(code);
  assert.equal(typed, `// @ts-self-types="./main.d.ts"\n${code}`);
  assert.equal(withSelfTypes(typed), typed);
});

Deno.test("staticImports() finds static imports and re-exports, not dynamic ones", () => {
  const code = [
    'import{a as L,b as c}from"./chunk-A.js";import"./chunk-B.js";',
    'export{x}from"./chunk-C.js";import gt from"@xterm/headless";',
    'var r=()=>import("./run-D.js");const s="import \\"./not-code.js\\"";',
    'import * as ns from "./chunk-E.js"',
  ].join("\n");
  assert.deepEqual(staticImports(code), [
    "./chunk-A.js",
    "./chunk-B.js",
    "./chunk-C.js",
    "@xterm/headless",
    "./chunk-E.js",
  ]);
});

Deno.test("eagerGraph() follows static imports only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denact_bundle_" });
  try {
    await Deno.writeTextFile(`${dir}/main.js`, 'import{a}from"./chunk-1.js";import("./run.js");');
    await Deno.writeTextFile(`${dir}/chunk-1.js`, 'import"./chunk-2.js";export const a=1;');
    await Deno.writeTextFile(`${dir}/chunk-2.js`, "export{};");
    await Deno.writeTextFile(`${dir}/run.js`, 'import x from"@xterm/headless";');
    assert.deepEqual(await eagerGraph(dir), {
      files: ["main.js", "chunk-1.js", "chunk-2.js"],
      packages: [],
    });
    await Deno.writeTextFile(`${dir}/chunk-2.js`, 'import x from"@xterm/headless";');
    assert.deepEqual((await eagerGraph(dir)).packages, ["@xterm/headless"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno.json publishes the bundle, and the release compiles it", () => {
  assert.equal(config.exports, `./${BUNDLE_ENTRY}`);
  assert.deepEqual(
    config.publish.include.filter((path) => path.endsWith("/")),
    [`${BUNDLE_DIR}/`],
    "only the bundle's folder: the source is not published",
  );
  assert.ok(config.publish.exclude.includes(`!${BUNDLE_DIR}/`), "un-ignored for publishing");
  assert.equal(compileArgs("x86_64-unknown-linux-gnu", "out").at(-1), BUNDLE_ENTRY);
  assert.match(config.tasks.build, /scripts\/build\.ts$/);
  assert.match(config.tasks["test:bundle"], /^DENACT_PROGRAM=bundle\/main\.js /);
});
