/**
 * End-to-end CLI tests: spawn the real program with `deno run` (no permission
 * flags, as users run it) and check stdout, stderr and the exit code.
 */

import assert from "node:assert/strict";
import config from "../deno.json" with { type: "json" };
import { OPTION_TABLE } from "../cli/options.ts";
import { MODULES } from "../modules/mod.ts";
import { visibleWidth } from "../core/ansi.ts";
import { PROGRAM, ROOT } from "./program.ts";

/** The program under test: the source, or the built bundle (tests/program.ts). */
const MAIN = PROGRAM;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function denact(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", MAIN, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "", ...env },
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** Runs a shell command line under `script`, which gives it a pseudo-terminal. */
async function inTerminal(command: string): Promise<string> {
  const out = await new Deno.Command("script", {
    args: ["-qfec", command, "/dev/null"],
    cwd: ROOT,
    env: { TERM: "xterm-256color", COLUMNS: "100", LINES: "30" },
    stdin: "null",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

const moduleName = (MODULES.find((m) => m.name === "cargo") ?? MODULES[0])!.name;

Deno.test("--help prints every option of the table to stdout and exits 0", async () => {
  const r = await denact(["--help"]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
  for (const spec of OPTION_TABLE) assert.ok(r.stdout.includes(`--${spec.long}`), spec.long);
  assert.ok(r.stdout.includes("Usage: denact [OPTIONS]"));
  assert.equal((await denact(["-h"])).stdout, r.stdout);
});

Deno.test("--version prints the version from deno.json", async () => {
  for (const flag of ["--version", "-V"]) {
    const r = await denact([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `denact ${config.version}\n`);
  }
});

Deno.test("--list-modules lists every module with its signature and description, aligned", async () => {
  const r = await denact(["-l"]);
  assert.equal(r.code, 0);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines[0], "Available modules:");
  assert.equal(lines.length - 1, MODULES.length);
  const sigColumns = new Set<number>();
  for (const [i, m] of MODULES.entries()) {
    const line = lines[i + 1]!;
    assert.ok(line.startsWith(`  ${m.name} `), line);
    assert.ok(line.includes(m.signature) && line.endsWith(m.about), line);
    sigColumns.add(line.indexOf(m.signature, m.name.length + 2));
  }
  assert.equal(sigColumns.size, 1, "signatures start in one column");
});

Deno.test("--print-completions and --print-manpage write to stdout and exit 0", async () => {
  for (const shell of ["bash", "zsh", "fish", "powershell", "elvish"]) {
    const r = await denact(["--print-completions", shell]);
    assert.equal(r.code, 0, shell);
    assert.ok(r.stdout.length > 0);
  }
  const man = await denact(["--print-manpage"]);
  assert.equal(man.code, 0);
  assert.match(man.stdout, /^\.TH /m);
});

Deno.test("every bad input exits 2 with a one-line error naming the flag and value", async () => {
  const cases: [string[], RegExp][] = [
    [["-m", "carg"], /^error: invalid value 'carg' for '--modules <MODULES>'/],
    [["--modules", ""], /^error: invalid value '' for '--modules <MODULES>'/],
    [["--bogus"], /^error: unexpected argument '--bogus' found/],
    [["-s"], /^error: a value is required for '--speed-factor <SPEED_FACTOR>'/],
    [["-s", "fast"], /^error: invalid value 'fast' for '--speed-factor <SPEED_FACTOR>'/],
    [["-s", "NaN"], /^error: invalid value 'NaN' for '--speed-factor <SPEED_FACTOR>'/],
    [["-s", "inf"], /^error: invalid value 'inf' for '--speed-factor <SPEED_FACTOR>'/],
    [["-s", "-2"], /^error: invalid value '-2' for '--speed-factor <SPEED_FACTOR>'/],
    [["-s", "0"], /^error: invalid value '0' for '--speed-factor <SPEED_FACTOR>'/],
    [["-i", "x"], /^error: invalid value 'x' for '--instant-print-lines <N>'/],
    [["-i", "99999999999"], /^error: invalid value '99999999999' for '--instant-print-lines <N>'/],
    [["--exit-after-time", "5"], /^error: invalid value '5' for '--exit-after-time <DURATION>'/],
    [
      ["--exit-after-time", "5 fortnights"],
      /^error: invalid value '5 fortnights' for '--exit-after-time/,
    ],
    [["--exit-after-modules", "0"], /^error: invalid value '0' for '--exit-after-modules <N>'/],
    [["--exit-after-modules", "-1"], /^error: invalid value '-1' for '--exit-after-modules <N>'/],
    [["--seed", "abc"], /^error: invalid value 'abc' for '--seed <SEED>'/],
    [["--color", "rainbow"], /^error: invalid value 'rainbow' for '--color <WHEN>'/],
    [
      ["--print-completions", "tcsh"],
      /^error: invalid value 'tcsh' for '--print-completions <SHELL>'/,
    ],
    [["surprise"], /^error: unexpected argument 'surprise' found/],
  ];
  const results = await Promise.all(cases.map(([args]) => denact(args)));
  for (const [i, [args, pattern]] of cases.entries()) {
    const r = results[i]!;
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stdout, "", args.join(" "));
    assert.match(r.stderr, pattern, args.join(" "));
    assert.ok(r.stderr.includes("For more information, try '--help'."), args.join(" "));
    assert.ok(!r.stderr.includes("    at "), `stack trace for ${args.join(" ")}`);
  }
  assert.match(results[0]!.stderr, /tip: .*--list-modules/);
});

Deno.test("a plain run is clean: no escape byte, ends with the saving message, exit 0", async () => {
  const r = await denact([
    "-m",
    moduleName,
    "--exit-after-time",
    "1500ms",
    "-s",
    "20",
    "--seed",
    "3",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.ok(!r.stdout.includes("\x1b") && !r.stdout.includes("\r"));
  assert.ok(r.stdout.endsWith("Saving work to disk...\n"));
  assert.ok(r.stdout.split("\n").length > 3);
});

Deno.test("--color always colours a pipe; FORCE_COLOR is ignored without env permission", async () => {
  const always = await denact([
    "-m",
    moduleName,
    "--exit-after-time",
    "1s",
    "-s",
    "20",
    "--color",
    "always",
  ]);
  assert.equal(always.code, 0);
  assert.match(always.stdout, new RegExp("\x1b\\[[0-9;]*m"));
  assert.ok(!always.stdout.includes("\x1b[?25l"), "no cursor control in a pipe");
  const forced = await denact(["-m", moduleName, "--exit-after-time", "1s", "-s", "20"], {
    FORCE_COLOR: "1",
  });
  assert.equal(forced.code, 0);
  assert.equal(forced.stderr, "", "no permission prompt or error");
});

Deno.test("--inhibit without run permission warns clearly on stderr and keeps running", async () => {
  const r = await denact(["--inhibit", "-m", moduleName, "--exit-after-time", "800ms", "-s", "20"]);
  assert.equal(r.code, 0);
  assert.match(
    r.stderr,
    /^warning: --inhibit needs permission to run '[a-z-]+' \(deno run --allow-run=/,
  );
  assert.equal(r.stderr.trim().split("\n").length, 1, "one warning line, no prompt, no trace");
  assert.ok(r.stdout.endsWith("Saving work to disk...\n"));
});

Deno.test("--exit-after-modules ends after that many modules", async () => {
  const r = await denact([
    "-m",
    moduleName,
    "--exit-after-modules",
    "1",
    "-s",
    "1000",
    "--seed",
    "5",
  ]);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.endsWith("Saving work to disk...\n"));
});

Deno.test("-i prints the first N lines without waiting", async () => {
  // At a hundredth of the speed, the 40 lines come only if they do not wait; the limit leaves
  // room for a slow start on a loaded machine (it counts from program start).
  const run = (extra: string[]) =>
    denact([
      "-m",
      moduleName,
      "-s",
      "0.01",
      "--exit-after-time",
      "2500ms",
      "--seed",
      "2",
      ...extra,
    ]);
  const [instant, paced] = await Promise.all([run(["-i", "40"]), run([])]);
  assert.equal(instant.code, 0);
  const lines = instant.stdout.split("\n").length;
  const pacedLines = paced.stdout.split("\n").length;
  assert.ok(lines >= 40, `only ${lines} lines`);
  assert.ok(pacedLines < 40 - 10, `${pacedLines} lines without -i: the test proves nothing`);
});

Deno.test("a pipe closed early ends the program quietly", async () => {
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      `"${Deno.execPath()}" run --quiet "${MAIN}" -s 50 -i 500 --seed 9 | head -3; echo done`,
    ],
    cwd: ROOT,
    stdin: "null",
  });
  const out = await child.output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(stdout.split("\n").length, 5, stdout);
  assert.equal(stderr, "", "no stack trace or error on a closed pipe");
});

Deno.test("SIGINT during a live progress bar restores the cursor, prints the message, exits 130", async () => {
  const screen = await inTerminal(
    `"${Deno.execPath()}" run --quiet "${MAIN}" -m ${moduleName} --seed 4 -s 3 & pid=$!; sleep 2.5; kill -INT $pid; wait $pid; echo "EXIT=$?"`,
  );
  assert.match(screen, /EXIT=130/);
  assert.ok(screen.includes("Saving work to disk..."));
  const lastHide = screen.lastIndexOf("\x1b[?25l");
  const lastShow = screen.lastIndexOf("\x1b[?25h");
  assert.ok(lastHide === -1 || lastShow > lastHide, "cursor left hidden");
});

Deno.test("in a terminal the width comes from the terminal and a resize is picked up", async () => {
  const screen = await inTerminal(
    `stty cols 30 rows 20; "${Deno.execPath()}" run --quiet "${MAIN}" -m ${moduleName} --seed 8 -s 4 -i 30 & pid=$!; sleep 2; stty cols 120; kill -WINCH $pid; sleep 2; kill -INT $pid; wait $pid`,
  );
  const mark = screen.indexOf("Saving work to disk...");
  assert.ok(mark > 0, "run did not end cleanly");
  // Permanent lines wrap whatever the width; the live rows follow it. Each live
  // row is written up to a carriage return: the first ones fit 30 columns, and
  // after the resize wider ones appear.
  const rows = [...screen.slice(0, mark).matchAll(/ {4}Building \[[^\r\n]*/g)]
    .map((m) => visibleWidth(m[0]));
  assert.ok(rows.length > 1, "no live row drawn");
  assert.ok(rows[0]! <= 30, `first live row ${rows[0]} columns wide at 30`);
  assert.ok(rows.some((w) => w > 30), "no live row used the new width after the resize");
});

Deno.test("SIGTERM and SIGHUP exit 143 and 129 with the saving message", async () => {
  for (const [signal, code] of [["TERM", 143], ["HUP", 129]] as const) {
    const log = Deno.makeTempFileSync();
    try {
      const out = await new Deno.Command("sh", {
        args: [
          "-c",
          `"${Deno.execPath()}" run --quiet "${MAIN}" -m ${moduleName} --seed 1 > "$0" & pid=$!; sleep 1; kill -${signal} $pid; wait $pid; echo $?`,
          log,
        ],
        cwd: ROOT,
        stdin: "null",
      }).output();
      assert.equal(new TextDecoder().decode(out.stdout).trim(), String(code), signal);
      assert.ok(Deno.readTextFileSync(log).endsWith("Saving work to disk...\n"), signal);
    } finally {
      Deno.removeSync(log);
    }
  }
});

Deno.test("--list-modules fits a narrow terminal: two lines a module, none wider than the terminal", async () => {
  const { listText } = await import("../cli/help.ts");
  const { visibleWidth } = await import("../core/ansi.ts");
  for (const width of [60, 80, 120]) {
    const lines = listText(MODULES, (s) => s, width).trimEnd().split("\n");
    assert.equal(lines.length - 1, 2 * MODULES.length, `${width} columns`);
    for (const line of lines) assert.ok(visibleWidth(line) <= width, `${width}: ${line}`);
    for (const [i, m] of MODULES.entries()) {
      assert.ok(lines[1 + 2 * i]!.startsWith(`  ${m.name} `), lines[1 + 2 * i]);
      const about = lines[2 + 2 * i]!.trim();
      assert.ok(m.about.startsWith(about.replace(/…$/, "")), `${about} / ${m.about}`);
    }
  }
  // A terminal wide enough for the rows keeps one row per module.
  const wide = listText(MODULES, (s) => s, 1000).trimEnd().split("\n");
  assert.equal(wide.length - 1, MODULES.length);
});
