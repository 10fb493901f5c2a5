/**
 * The single-file page: the script's hash in the Content-Security-Policy,
 * nothing loaded from elsewhere, and no way for inlined code to end its element.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { assemblePage, contentSecurityPolicy, pageHtml } from "../web/page.ts";
import { pageHandler, portFromArgs } from "../web/serve.ts";

const SCRIPT = 'const a = "<\\/script>";document.title=a;';
const CSS = ".xterm { color: red; }";

Deno.test("page: the CSP allows exactly the inlined script, by its SHA-256", async () => {
  const page = await assemblePage({ script: SCRIPT, css: CSS });
  const hash = createHash("sha256").update(SCRIPT, "utf8").digest("base64");
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page)?.[1];
  assert.equal(csp, contentSecurityPolicy(`sha256-${hash}`));
  assert.match(csp ?? "", /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]+=*';/);
  assert.ok(page.includes(`<script type="module">${SCRIPT}</script>`));
  assert.ok(page.includes(CSS));
  assert.equal(page.split("<script").length, 2, "one script element");
});

Deno.test("page: the HTML around the code loads nothing from anywhere", () => {
  const html = pageHtml("CSP", "", "");
  assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*"(?!data:)/i);
  assert.doesNotMatch(html, /\bhttps?:\/\/(?!www\.w3\.org)/);
  assert.doesNotMatch(html, /@import|url\(/);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="CSP">/);
  assert.match(html, /<div id="terminal"><\/div>/);
});

Deno.test("page: code that could end its element early is refused", async () => {
  for (const script of ["x('</script>')", "x('</SCRIPT ')", "/*<!--*/"]) {
    await assert.rejects(assemblePage({ script, css: CSS }), /script/);
  }
  await assert.rejects(
    assemblePage({ script: SCRIPT, css: "a{}</style>" }),
    /style/,
  );
});

Deno.test("serve: the page at / and /denact.html, 404 elsewhere, 405 for writes", async () => {
  const handler = pageHandler(new TextEncoder().encode("<p>page</p>"));
  const get = (path: string, method = "GET") =>
    handler(new Request(`http://127.0.0.1:8000${path}`, { method }));
  for (const path of ["/", "/denact.html", "/?module=cargo"]) {
    const response = get(path);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await response.text(), "<p>page</p>");
  }
  assert.equal(get("/favicon.ico").status, 404);
  assert.equal(get("/", "POST").status, 405);
  assert.equal(await get("/", "HEAD").text(), "");
});

Deno.test("serve: the port comes from --port, then PORT, then 8000; bad ones are refused", () => {
  assert.equal(portFromArgs([], undefined), 8000);
  assert.equal(portFromArgs([], "9001"), 9001);
  assert.equal(portFromArgs(["--port", "0"], "9001"), 0);
  assert.equal(portFromArgs(["-p", "8123"], undefined), 8123);
  assert.throws(() => portFromArgs(["--port", "65536"], undefined), /must be at most 65535/);
  assert.throws(() => portFromArgs([], "http"), /invalid value 'http' for '--port <PORT>'/);
  assert.throws(() => portFromArgs(["--bogus"], undefined), RangeError);
});

Deno.test("the page build finds imports the bundler left, not import text the modules print", async () => {
  const { leftoverImport } = await import("../web/build.ts");
  assert.equal(leftoverImport(`import{a as b}from"./chunk.js";var x=1;`), "./chunk.js");
  assert.equal(leftoverImport(`import"npm:@xterm/xterm";var x=1;`), "npm:@xterm/xterm");
  assert.equal(leftoverImport(`export*from"node:fs";`), "node:fs");
  assert.equal(leftoverImport(`var t=1;async function f(){await import("npm:x@1")}`), "npm:x@1");
  // An agent's diff of TypeScript, as data in the page's script.
  const printed = `var d=["import type { RetryPolicy } from \\"./types\\";",'} from "./util"'];`;
  assert.equal(leftoverImport(printed), undefined);
  assert.equal(leftoverImport(`var s="see import(x) and from 'a'";`), undefined);
});
