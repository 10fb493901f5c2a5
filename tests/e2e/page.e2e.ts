/**
 * The built page (`dist/denact.html`, from `deno task web:build`) in real
 * headless Chromium, served on 127.0.0.1 and opened from disk. Run with
 * `deno task test:e2e`; not part of `deno task test`.
 */

import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import type { DenactTermHook } from "../../web/app.ts";
import { PAGE_PATH } from "../../web/build.ts";
import { pageHandler } from "../../web/serve.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
/**
 * Takes a screenshot and checks it is a PNG. It is kept in `DENACT_SCREENSHOTS`
 * when that names a folder (to look at it); otherwise it goes to a temporary
 * file that is removed again, so the tests write nothing into the checkout.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  const folder = Deno.env.get("DENACT_SCREENSHOTS");
  const path = folder ? `${folder}/${name}` : await Deno.makeTempFile({ suffix: ".png" });
  try {
    await page.screenshot({ path });
    const png = await Deno.readFile(path);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG file");
  } finally {
    if (!folder) await Deno.remove(path);
  }
}
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const COMPILING = String.raw`^\s+Compiling [\w-]+ v\d+\.\d+\.\d+`;
const FINISHED = String.raw`^\s+Finished .+ target\(s\) in \d+\.\d\ds$`;
const BUILDING = String.raw`^\s+Building \[[ =>]+\] \d+/\d+`;

/** Debian's chromium (`which chromium`), or the browser `DENACT_CHROMIUM` names. */
async function chromiumPath(): Promise<string> {
  const chosen = Deno.env.get("DENACT_CHROMIUM");
  if (chosen) return chosen;
  const { success, stdout } = await new Deno.Command("which", { args: ["chromium"] }).output();
  const path = new TextDecoder().decode(stdout).trim();
  if (!success || path === "") {
    throw new Error("chromium is not installed (apt-get install -y chromium)");
  }
  return path;
}

/** An open page with everything it requested and every error it reported. */
interface Opened {
  page: Page;
  requests: string[];
  problems: string[];
}

/** Launches Chromium (and a server for the built page), runs `body`, closes everything. */
async function withBrowser(
  body: (open: (url: string) => Promise<Opened>, origin: string) => Promise<void>,
): Promise<void> {
  const html = await Deno.readFile(PAGE_PATH);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    pageHandler(html),
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: await chromiumPath(), args: CHROMIUM_FLAGS });
    const context = await browser.newContext({ viewport: { width: 1100, height: 680 } });
    const open = async (url: string): Promise<Opened> => {
      const page = await context.newPage();
      const requests: string[] = [];
      const problems: string[] = [];
      page.on("request", (request) => requests.push(request.url()));
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`);
      });
      await page.goto(url);
      return { page, requests, problems };
    };
    await body(open, origin);
  } finally {
    await browser?.close();
    await server.shutdown();
  }
}

/** Waits until some terminal line matches `pattern`; returns the lines at that moment. */
async function waitForLine(page: Page, pattern: string, timeout = 30_000): Promise<string[]> {
  await page.waitForFunction(
    (source) => {
      const term = (globalThis as unknown as { denactTerm: DenactTermHook }).denactTerm;
      const regexp = new RegExp(source);
      return term.lines().some((line) => regexp.test(line));
    },
    pattern,
    { timeout, polling: 20 },
  );
  return await lines(page);
}

function lines(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (globalThis as unknown as { denactTerm: DenactTermHook }).denactTerm.lines()
  );
}

function size(page: Page): Promise<{ cols: number; rows: number; moduleCols: number }> {
  return page.evaluate(() => {
    const { cols, rows, moduleCols } =
      (globalThis as unknown as { denactTerm: DenactTermHook }).denactTerm;
    return { cols, rows, moduleCols };
  });
}

/** The style of the first cell of the first buffer line matching `pattern`, at `text`. */
async function styleOf(page: Page, pattern: string, text: string) {
  return await page.evaluate(([source, text]) => {
    const term = (globalThis as unknown as { denactTerm: DenactTermHook }).denactTerm;
    const regexp = new RegExp(source);
    const lines = term.lines();
    const line = lines.findIndex((l) => regexp.test(l));
    return line < 0 ? undefined : term.style(line, (lines[line] as string).indexOf(text));
  }, [pattern, text] as const);
}

/** The error block the real CLI prints for `args` (colour off), as lines. */
async function cliError(args: string[]): Promise<string[]> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "main.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  assert.equal(code, 2);
  return new TextDecoder().decode(stderr).trimEnd().split("\n");
}

const options = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "e2e: cargo runs in the page with its real lines, colours and a screenshot",
  options,
  async () => {
    await withBrowser(async (open, origin) => {
      const { page, requests, problems } = await open(
        `${origin}/?module=cargo&seed=1&speed-factor=50`,
      );
      const seen = await waitForLine(page, FINISHED);
      const compiling = seen.filter((line) => new RegExp(COMPILING).test(line));
      assert.ok(compiling.length >= 3, `Compiling lines:\n${seen.join("\n")}`);
      assert.ok(
        seen.findIndex((l) => new RegExp(COMPILING).test(l)) <
          seen.findIndex((l) => new RegExp(FINISHED).test(l)),
      );
      assert.ok(!seen.some((line) => line.startsWith("error:")), "no URL errors");
      const { cols, rows, moduleCols } = await size(page);
      assert.equal(moduleCols, cols);
      assert.ok(cols >= 100 && rows >= 30, `the terminal fills the window: ${cols}x${rows}`);
      assert.deepEqual(await styleOf(page, COMPILING, "Compiling"), { bold: true, fg: 10 });
      await screenshot(page, "e2e-screenshot.png");
      assert.deepEqual(problems, []);
      assert.deepEqual(requests, [`${origin}/?module=cargo&seed=1&speed-factor=50`]);
    });
  },
);

Deno.test(
  "e2e: an unknown module shows the CLI's error text in red, then the rest runs",
  options,
  async () => {
    await withBrowser(async (open, origin) => {
      const { page, problems } = await open(
        `${origin}/?module=cargo&module=cargoo&seed=1&speed-factor=5`,
      );
      const seen = await waitForLine(page, "^For more information");
      assert.deepEqual(await styleOf(page, "^error: ", "error:"), { bold: true, fg: 1 });
      const expected = await cliError(["-m", "cargoo"]);
      assert.deepEqual(seen.slice(0, expected.length), expected);
      assert.match(expected[0] ?? "", /^error: invalid value 'cargoo' for '--modules <MODULES>'/);
      await waitForLine(page, COMPILING);
      assert.deepEqual(problems, []);
    });
  },
);

Deno.test(
  "e2e: a window resize refits the terminal and modules draw to the new width",
  options,
  async () => {
    await withBrowser(async (open, origin) => {
      const { page, problems } = await open(`${origin}/?module=cargo&seed=3&speed-factor=4`);
      const wide = await waitForLine(page, BUILDING);
      const before = await size(page);
      const barWidth = (line: string) => (/\[([ =>]+)\]/.exec(line)?.[1] ?? "").length;
      const wideBar = Math.max(...wide.filter((l) => new RegExp(BUILDING).test(l)).map(barWidth));

      await page.setViewportSize({ width: 400, height: 500 });
      await page.waitForFunction(
        (cols) => (globalThis as unknown as { denactTerm: DenactTermHook }).denactTerm.cols < cols,
        before.cols,
      );
      const after = await size(page);
      assert.equal(after.moduleCols, after.cols, "modules see the terminal's new width");
      assert.ok(after.cols < 50 && after.cols >= 30, `narrow: ${after.cols}`);
      assert.ok(after.rows < before.rows);

      const narrowBar = String.raw`^\s+Building \[[ =>]{1,${wideBar - 1}}\] \d+/\d+`;
      const narrow = await waitForLine(page, narrowBar);
      const bar = narrow.filter((l) => new RegExp(narrowBar).test(l)).at(-1) ?? "";
      assert.ok(bar.length <= after.cols, `the bar fits in ${after.cols} columns: '${bar}'`);
      await screenshot(page, "e2e-screenshot-narrow.png");
      assert.deepEqual(problems, []);
    });
  },
);

Deno.test("e2e: the page runs from file:// and requests nothing but itself", options, async () => {
  await withBrowser(async (open) => {
    const url = `file://${PAGE_PATH}?module=cargo&seed=1&speed-factor=50`;
    const { page, requests, problems } = await open(url);
    await waitForLine(page, COMPILING);
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url]);
  });
});

Deno.test(
  "e2e: every module runs in the page without a request beyond the page",
  options,
  async () => {
    await withBrowser(async (open, origin) => {
      const url = `${origin}/?seed=7&speed-factor=20&instant-print-lines=50`;
      const { page, requests, problems } = await open(url);
      await page.waitForTimeout(4_000);
      const seen = (await lines(page)).filter((line) => line.trim() !== "");
      assert.ok(seen.length >= 50, `output after 4 s:\n${seen.join("\n")}`);
      assert.deepEqual(problems, []);
      assert.ok(
        requests.every((request) => new URL(request).origin === origin),
        requests.join("\n"),
      );
      assert.deepEqual(requests, [url]);
    });
  },
);

Deno.test("e2e: exit-after-time ends the run with the saving message", options, async () => {
  await withBrowser(async (open, origin) => {
    const { page, problems } = await open(`${origin}/?seed=2&speed-factor=10&exit-after-time=2s`);
    const started = performance.now();
    await waitForLine(page, String.raw`^Saving work to disk\.\.\.$`, 10_000);
    const elapsed = performance.now() - started;
    assert.ok(elapsed > 1_000 && elapsed < 6_000, `ended after ${Math.round(elapsed)} ms`);
    assert.equal(
      await page.evaluate(() =>
        (globalThis as unknown as { denactTerm: DenactTermHook }).denactTerm.finished
      ),
      true,
    );
    assert.deepEqual(problems, []);
  });
});

/** Asks the page for something: fails unless its main thread answers within `ms`. */
async function answersWithin(page: Page, ms: number): Promise<void> {
  const answer = page.evaluate(() => 1);
  const late = new Promise<never>((_, reject) => {
    const timer = setTimeout(() => reject(new Error(`the page did not answer in ${ms} ms`)), ms);
    void answer.finally(() => clearTimeout(timer));
  });
  assert.equal(await Promise.race([answer, late]), 1);
}

Deno.test(
  "e2e: hostile URL values are shown as text: no freeze, no spoofed screen, no link",
  options,
  async () => {
    // The probe's vectors (issue 11, F3): a CSI REP that froze the tab, a screen clear with
    // fake green text, the alternate screen, and an OSC 8 hyperlink.
    const hostile = [
      "x\x1b[2147483647b",
      "\x1b[2J\x1b[H\x1b[32mALL CHECKS PASSED - enter your password below\x1b[0m",
      "\x1b[?1049h\x1b[?25l",
      "\x1b]8;;https://evil.example/phish\x1b\\CLICK-ME-TO-CONTINUE\x1b]8;;\x1b\\",
    ];
    await withBrowser(async (open, origin) => {
      const query = new URLSearchParams([
        ...hostile.map((value) => ["module", value]),
        ["module", "cargo"],
        ["seed", "1"],
        ["speed-factor", "5"],
      ]);
      const url = `${origin}/?${query}`;
      const { page, requests, problems } = await open(url);
      await answersWithin(page, 5_000);
      const seen = await waitForLine(page, COMPILING);
      await answersWithin(page, 5_000);
      const errors = seen.filter((line) => line.startsWith("error: "));
      assert.equal(errors.length, hostile.length, seen.join("\n"));
      for (const [i, value] of hostile.entries()) {
        const shown = value.replaceAll("\x1b", "\\u{1b}");
        // Shown as typed, escapes visible: so the OSC 8 link was never parsed into a link.
        assert.ok(errors[i]?.includes(`'${shown}'`), `${errors[i]} lacks ${shown}`);
      }
      assert.ok(!seen.some((line) => line.startsWith("ALL CHECKS")), "spoofed text shown");
      assert.deepEqual(await styleOf(page, "^error: ", "error:"), { bold: true, fg: 1 });
      assert.deepEqual(problems, []);
      assert.deepEqual(requests, [url]);
    });
  },
);

Deno.test(
  "e2e: a huge address (200 000 characters, 2 000 parameters) neither freezes nor floods the page",
  options,
  async () => {
    await withBrowser(async (open) => {
      // From disk: the test server (like most servers) refuses such a long request line.
      const url = `file://${PAGE_PATH}?module=${"q".repeat(200_000)}&${
        "seed=1&".repeat(2_000)
      }module=cargo`;
      const { page, problems } = await open(url);
      await answersWithin(page, 5_000);
      const seen = await waitForLine(page, COMPILING);
      const errors = seen.filter((line) => line.startsWith("error: "));
      assert.ok(errors.length <= 8, `${errors.length} error lines`);
      // Long lines wrap in the terminal: look at the text as one.
      assert.match(seen.join(""), /'q{200}… \(200000 characters\)' for '--modules <MODULES>'/);
      assert.match(errors.at(-1) ?? "", /more problems in the page's address are not shown/);
      assert.deepEqual(problems, []);
    });
  },
);
