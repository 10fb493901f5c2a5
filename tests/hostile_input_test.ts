/**
 * What users type is echoed, never interpreted (issue 11, F3): control
 * characters in values come back visible in the CLI's errors and in the web
 * page's error display, long values are cut, and no address can flood the
 * page with messages.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { closest } from "../cli/suggest.ts";
import { echoed, MAX_ECHOED_CHARS, visible } from "../core/visible.ts";
import type { Context, Module } from "../core/types.ts";
import { startWebRun, type WebTerminal } from "../web/app.ts";
import { MAX_REPORTED_ERRORS, parseWebParams } from "../web/params.ts";
import { replay } from "./harness.ts";
import { PROGRAM, ROOT } from "./program.ts";
import { NAMES, usageError } from "./usage_error.ts";

/** Any character a terminal acts on, or that hides or reorders text. */
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Values the reliability probe used against the page and the CLI. */
const HOSTILE = [
  "x\x1b[2147483647b", // CSI REP 2^31-1: froze the tab
  "\x1b[2J\x1b[H\x1b[32mALL CHECKS PASSED - enter your password below\x1b[0m", // spoofing
  "\x1b[?1049h\x1b[?25l", // alternate screen, hidden cursor
  "\x1b[99999999L\x1b[99999999@", // blank lines
  "\x1b]8;;https://evil.example/phish\x1b\\CLICK-ME-TO-CONTINUE\x1b]8;;\x1b\\", // OSC 8 link
  "\x1b]0;pwned\x07\x1b[2J", // retitle and clear
  "cargo\u202egnp.exe", // right-to-left override
  "a\rb\nc\td\x00e\x7f\x9b31m",
];

/** Colour sequences (the only escapes the error display writes itself). */
const SGR = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g");

Deno.test("visible() leaves no control character and changes nothing else", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => {
      const shown = visible(text);
      assert.ok(!CONTROL.test(shown), JSON.stringify(shown));
      if (!CONTROL.test(text)) assert.equal(shown, text);
    }),
    { numRuns: 2_000 },
  );
  assert.equal(visible("\x1b[2J"), "\\u{1b}[2J");
  assert.equal(visible("a\tb\nc\rd"), "a\\tb\\nc\\rd");
  assert.equal(visible("\u202e\u200b\x9b"), "\\u{202e}\\u{200b}\\u{9b}");
  assert.equal(visible("漢字 ✓ café"), "漢字 ✓ café");
});

Deno.test("echoed() cuts long values at a character boundary and says how long they were", () => {
  assert.equal(echoed("cargo"), "cargo");
  const long = "😀".repeat(MAX_ECHOED_CHARS + 50);
  const shown = echoed(long);
  assert.equal(shown, "😀".repeat(MAX_ECHOED_CHARS) + `… (${MAX_ECHOED_CHARS + 50} characters)`);
  assert.equal(echoed("\x1b".repeat(300)).startsWith("\\u{1b}".repeat(MAX_ECHOED_CHARS)), true);
});

Deno.test("every CLI error about a hostile value shows it escaped, on one line", () => {
  for (const value of HOSTILE) {
    const cases = [
      ["-m", value],
      ["-s", value],
      ["--exit-after-time", value],
      ["--color", value],
      [value],
      [`--${value}`],
      [`--help=${value}`],
    ];
    for (const args of cases) {
      const error = usageError(args);
      for (const color of [false, true]) {
        const text = color ? error.format(true).replace(SGR, "") : error.format(false);
        assert.ok(!CONTROL.test(text.replaceAll("\n", "")), JSON.stringify([args, text]));
        assert.equal(text.split("\n").filter((l) => l.startsWith("error:")).length, 1);
      }
    }
  }
  assert.match(usageError(["-m", "x\x1b[2J"]).problem, /^invalid value 'x\\u\{1b\}\[2J' for/);
});

Deno.test("a huge value is cut in the message and costs no more than a short one", () => {
  const huge = "q".repeat(2_000_000);
  const started = performance.now();
  const error = usageError(["-m", huge]);
  assert.ok(error.problem.length < MAX_ECHOED_CHARS + 100, `${error.problem.length} characters`);
  assert.match(error.problem, /… \(2000000 characters\)/);
  assert.equal(closest(huge, NAMES), undefined);
  assert.equal(closest("carg", NAMES), "cargo");
  assert.equal(closest("CARGO", NAMES), "cargo");
  // The edit distance against every module name of a 2 MB value took seconds.
  assert.ok(performance.now() - started < 1_000, `${Math.round(performance.now() - started)} ms`);
});

Deno.test("web params: hostile values and keys are reported escaped; many problems are summed up", () => {
  const params = new URLSearchParams();
  for (const value of HOSTILE) params.append("module", value);
  params.append("speed-factor", HOSTILE[0]!);
  params.append(HOSTILE[4]!, "1");
  const { errors } = parseWebParams(params, NAMES);
  assert.equal(errors.length, MAX_REPORTED_ERRORS);
  for (const error of errors) assert.ok(!CONTROL.test(error.format(false).replaceAll("\n", "")));
  assert.match(errors.at(-1)!.problem, /^3 more problems in the page's address are not shown$/);
  const many = new URLSearchParams("a=1&".repeat(10_000));
  const flood = parseWebParams(many, NAMES).errors;
  assert.equal(flood.length, MAX_REPORTED_ERRORS);
  assert.match(flood.at(-1)!.problem, /^9993 more problems/);
});

/** Records what the page's program writes. */
class RecordingTerminal implements WebTerminal {
  cols = 100;
  rows = 30;
  written = "";
  write(data: string): void {
    this.written += data;
  }
  onResize() {
    return { dispose: () => {} };
  }
  onData() {
    return { dispose: () => {} };
  }
}

const quiet: Module = {
  name: "quiet",
  signature: "quiet",
  about: "prints one line",
  async run(ctx: Context) {
    ctx.out.line("quiet ran");
    await ctx.sleep(100);
  },
};

Deno.test("web page: a hostile address shows its text as text, with only the page's own colours", async () => {
  for (const value of HOSTILE) {
    const term = new RecordingTerminal();
    const search = "?" + new URLSearchParams([["module", value], ["exit-after-modules", "1"]]);
    const run = startWebRun(term, {
      modules: [quiet],
      search,
      randomSeed: () => 1n,
      epochMs: Date.UTC(2026, 0, 1),
      utcOffsetMinutes: 0,
      startedAgoMs: 0,
      virtual: true,
    });
    await run.done;
    const errorPart = term.written.slice(0, term.written.indexOf("quiet ran"));
    // Only SGR colour sequences (ours) and line feeds; nothing else a terminal acts on.
    const rest = errorPart.replace(SGR, "").replaceAll("\n", "");
    assert.ok(!CONTROL.test(rest), JSON.stringify(rest));
    const screen = await replay(term.written, 100, 30);
    const first = screen.lines[0] ?? "";
    assert.ok(first.startsWith("error: invalid value '"), JSON.stringify(screen.lines));
    assert.ok(first.includes(visible(value).slice(0, 40)), first);
    assert.ok(screen.lines.includes("quiet ran"), "the run went on after the error");
    assert.ok(screen.cursorVisible);
  }
});

async function spawn(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", PROGRAM, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("the CLI echoes hostile values escaped: exit 2, one error line, no byte a terminal acts on", async () => {
  const cases = [
    ["-m", "\x1b]0;pwned\x07\x1b[2J"],
    ["-s", "x\x1b[2147483647b"],
    ["--exit-after-time", "\x1b[?1049h5s"],
    ["\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"],
    ["--\u202eelif"],
    ["-m", "z".repeat(120_000)],
  ];
  const results = await Promise.all(cases.map(spawn));
  for (const [i, r] of results.entries()) {
    const label = JSON.stringify(cases[i]).slice(0, 80);
    assert.equal(r.code, 2, label);
    assert.equal(r.stdout, "", label);
    assert.ok(
      !CONTROL.test(r.stderr.replaceAll("\n", "")),
      `${label}: ${JSON.stringify(r.stderr)}`,
    );
    assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1, label);
    assert.ok(r.stderr.length < 1_000, `${label}: ${r.stderr.length} bytes of error`);
  }
  assert.match(
    results[0]!.stderr,
    /^error: invalid value '\\u\{1b\}\]0;pwned\\u\{7\}\\u\{1b\}\[2J'/,
  );
});

Deno.test("--record echoes its file name escaped in every message", async () => {
  const r = await spawn(["--record", "\x1b[2J\x1b]0;x\x07.cast", "--exit-after-time", "1s"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: cannot record to '\\u\{1b\}\[2J\\u\{1b\}\]0;x\\u\{7\}\.cast'/);
  assert.ok(!CONTROL.test(r.stderr.replaceAll("\n", "")), JSON.stringify(r.stderr));
});
