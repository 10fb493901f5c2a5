import assert from "node:assert/strict";
import { MONTHS } from "../core/format.ts";
import { Session } from "../core/session.ts";
import { errorPageBytes, timeLocal, weblog } from "../modules/weblog.ts";
import { captureModule, TEST_EPOCH_MS } from "./harness.ts";

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);
const LINE = new RegExp(
  String.raw`^(\S+) - - \[(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\] ` +
    String.raw`"([A-Z]+) (/\S*) (HTTP/(?:1\.0|1\.1|2\.0))" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$`,
);
const STATUSES = new Set([200, 201, 204, 301, 304, 401, 404, 422, 429, 444, 502, 504]);

interface Parsed {
  ip: string;
  time: number;
  offset: string;
  method: string;
  path: string;
  status: number;
  bytes: number;
  referer: string;
  ua: string;
}

function parse(line: string): Parsed {
  const m = line.match(LINE);
  assert.ok(m, `not a combined log line: ${line}`);
  const [, ip, day, mon, year, hh, mm, ss, offset, method, path, , status, bytes, referer, ua] = m;
  const month = MONTHS.indexOf(mon as (typeof MONTHS)[number]);
  assert.ok(month >= 0, `bad month ${mon}`);
  assert.ok(Number(hh) < 24 && Number(mm) < 60 && Number(ss) < 60, line);
  const time = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss));
  return {
    ip: ip!,
    time,
    offset: offset!,
    method: method!,
    path: path!,
    status: Number(status),
    bytes: Number(bytes),
    referer: referer!,
    ua: ua!,
  };
}

Deno.test("weblog: the time is zero-padded and carries the local offset", () => {
  const date = new Date(Date.UTC(2026, 0, 5, 10, 14, 1));
  assert.equal(timeLocal(date, 0), "05/Jan/2026:10:14:01 +0000");
  assert.equal(timeLocal(date, 60), "05/Jan/2026:10:14:01 +0100");
  assert.equal(timeLocal(date, -330), "05/Jan/2026:10:14:01 -0530");
});

Deno.test("weblog: nginx error page sizes match the real pages", () => {
  assert.equal(errorPageBytes(502, "nginx"), 150);
  assert.equal(errorPageBytes(404, "nginx/1.24.0 (Ubuntu)"), 162);
  assert.equal(errorPageBytes(301, "nginx/1.24.0 (Ubuntu)"), 178);
});

Deno.test("weblog: every line is a combined log line, times increase, sizes agree", async () => {
  for (const seed of SEEDS) {
    const run = await captureModule(weblog, { seed, cols: 80 });
    const entries = run.output.trimEnd().split("\n").map(parse);
    assert.ok(entries.length >= 10, `seed ${seed}: ${entries.length} lines`);
    const sizes = new Map<string, number>();
    const errorSizes = new Map<number, number>();
    const pagesSeen = new Set<string>();
    let host = "";
    for (const [i, e] of entries.entries()) {
      assert.equal(e.offset, "+0000");
      if (i > 0) assert.ok(e.time >= entries[i - 1]!.time, `seed ${seed}: time went back`);
      assert.ok(e.time <= TEST_EPOCH_MS + run.pretendMs, `seed ${seed}: line from the future`);
      assert.ok(e.time >= TEST_EPOCH_MS - 91_000, `seed ${seed}: line too old`);
      assert.ok(STATUSES.has(e.status), `seed ${seed}: status ${e.status}`);
      if ([204, 304, 444].includes(e.status) || e.method === "HEAD") {
        assert.equal(e.bytes, 0, `seed ${seed}: ${e.status} ${e.method} with a body`);
      }
      const nginxPage = [301, 502, 504].includes(e.status) || (e.status === 404 && e.bytes < 1000);
      if (nginxPage && e.method !== "HEAD") {
        // nginx's own error pages: one size per status for the whole run.
        const known = errorSizes.get(e.status) ?? e.bytes;
        assert.equal(e.bytes, known, `seed ${seed}: ${e.status} page changed size`);
        errorSizes.set(e.status, e.bytes);
      }
      if (e.status === 200 && /^\/(assets|fonts|img)\//.test(e.path)) {
        const known = sizes.get(e.path) ?? e.bytes;
        assert.equal(e.bytes, known, `seed ${seed}: ${e.path} changed size`);
        sizes.set(e.path, e.bytes);
        // Assets are requested by a page (or stylesheet) this visitor loaded.
        const m = e.referer.match(/^https:\/\/([^/]+)(\/.*)$/);
        assert.ok(m, `seed ${seed}: asset without a referer: ${e.referer}`);
        host ||= m[1]!;
        assert.equal(m[1], host, `seed ${seed}: two hosts`);
        // (Skipped near the start, where the page may predate the backlog tail showed.)
        const settled = e.time >= (entries[10]?.time ?? Infinity) + 10_000;
        assert.ok(
          !settled || pagesSeen.has(`${e.ip} ${m[2]}`) || m[2]!.startsWith("/assets/"),
          `seed ${seed}: ${e.ip} loaded ${e.path} from ${m[2]} it never requested`,
        );
      }
      if (e.method === "GET") pagesSeen.add(`${e.ip} ${e.path}`);
    }
  }
});

Deno.test("weblog: traffic comes in bursts, with crawlers and scanners among it", async () => {
  let bursts = 0, gaps = 0, scanners = 0, bots = 0;
  for (const seed of SEEDS) {
    const lines = (await captureModule(weblog, { seed })).output.trimEnd().split("\n");
    const entries = lines.map(parse);
    const perSecond = new Map<number, number>();
    for (const e of entries) perSecond.set(e.time, (perSecond.get(e.time) ?? 0) + 1);
    if ([...perSecond.values()].some((n) => n >= 6)) bursts++;
    const times = [...perSecond.keys()];
    if (times.some((t, i) => i > 0 && t - times[i - 1]! >= 4000)) gaps++;
    if (entries.some((e) => /^\/(\.env|\.git|wp-)/.test(e.path))) scanners++;
    if (entries.some((e) => /bot/i.test(e.ua))) bots++;
  }
  assert.ok(bursts > SEEDS.length / 2, `only ${bursts} runs had a burst`);
  assert.ok(gaps > SEEDS.length / 4, `only ${gaps} runs had a quiet spell`);
  assert.ok(scanners > 5 && bots > SEEDS.length / 2, `scanners ${scanners}, bots ${bots}`);
});

Deno.test("weblog: tail first prints the last ten lines already in the file, at once", async () => {
  for (const seed of SEEDS.slice(0, 10)) {
    const run = await captureModule(weblog, { seed });
    const first = run.chunks[0]!.trimEnd().split("\n").map(parse);
    assert.ok(first.length <= 10, `seed ${seed}: ${first.length} lines at once`);
    assert.ok(first.every((e) => e.time <= TEST_EPOCH_MS), `seed ${seed}: backlog from the future`);
  }
});

Deno.test("weblog: the day is zero-padded and the offset follows the clock", async () => {
  const chunks: string[] = [];
  const session = new Session({
    sink: (c) => chunks.push(c),
    tty: false,
    color: false,
    virtual: true,
    seed: 5n,
    epochMs: Date.UTC(2026, 0, 5, 8, 59, 30),
    utcOffsetMinutes: 60,
  });
  await weblog.run(session.context());
  session.screen.finish();
  const entries = chunks.join("").trimEnd().split("\n").map(parse);
  assert.ok(entries.every((e) => e.offset === "+0100"));
  assert.ok(chunks.join("").includes("/Jan/2026:10:0"), "local time is 10:0x");
  assert.ok(chunks.join("").includes("[05/Jan/2026:"), "day not zero-padded");
});

Deno.test("weblog: snapshot (seed 1, 80 columns, plain)", async (t) => {
  await t.assertSnapshot((await captureModule(weblog, { seed: 1, cols: 80 })).output);
});
