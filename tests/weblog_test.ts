import assert from "node:assert/strict";
import { MONTHS } from "../core/format.ts";
import { Session } from "../core/session.ts";
import data from "../data/weblog.json" with { type: "json" };
import { errorPageBytes, timeLocal, versionsAt, weblog } from "../modules/weblog.ts";
import { captureModule, TEST_EPOCH_MS } from "./harness.ts";

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);
const LINE = new RegExp(
  String.raw`^(\S+) - - \[(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\] ` +
    String.raw`"([A-Z]+) (/\S*) (HTTP/(?:1\.0|1\.1|2\.0))" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$`,
);
const STATUSES = new Set([200, 201, 202, 204, 301, 304, 401, 404, 422, 429, 444, 502, 504]);

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

/** A template as a regex: each `{key}` is one of the site's own words for that key. */
function templateRegex(template: string, words: Record<string, string[] | undefined>): RegExp {
  const esc = (t: string) => t.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
  const body = template.split(/(\{\w+\})/).map((part) => {
    const key = part.match(/^\{(\w+)\}$/)?.[1];
    // A retired blog post lives on under its old dated slug (a 404).
    const dated = key === "slug" ? "(?:-20\\d\\d)?" : "";
    return key ? `(?<${key}>${(words[key] ?? []).map(esc).join("|")})${dated}` : esc(part);
  }).join("");
  return new RegExp(`^${body}$`);
}

Deno.test("weblog: every page and API call belongs to the one site, and calls name the page's own items", async () => {
  const sitesSeen = new Set<string>();
  const other = new Set([...data.probes, ...data.botPaths, ...data.monitors.map((m) => m.path)]);
  for (const seed of SEEDS) {
    const entries = (await captureModule(weblog, { seed, cols: 80 })).output.trimEnd().split("\n")
      .map(parse);
    const origins = new Set(
      entries.map((e) => e.referer.match(/^https:\/\/([^/]+)\//)?.[1]).filter((h) =>
        h !== undefined && data.sites.some((s) => s.host === h)
      ),
    );
    assert.ok(origins.size <= 1, `seed ${seed}: referers from ${[...origins]}`);
    const site = data.sites.find((s) => origins.has(s.host)) ?? null;
    if (!site) continue;
    sitesSeen.add(site.host);
    const words = site.words as Record<string, string[] | undefined>;
    const pages = site.pages.map((p) => templateRegex(p.path, words));
    const calls = site.api.map((a) => templateRegex(a.path, words));
    for (const e of entries) {
      if (
        other.has(e.path) ||
        /^\/(assets|fonts|img)\/|^\/(favicon|apple-touch|site\.web)/.test(e.path)
      ) continue;
      if (e.path === "/feed.xml" || [301, 444].includes(e.status)) continue;
      const path = e.path;
      const isPage = pages.some((r) => r.test(path));
      const call = calls.map((r) => path.match(r)).find((m) => m);
      assert.ok(isPage || call, `seed ${seed}: ${path} is not a page of ${site.host}`);
      // An API call a page makes names that page's product, project...
      const from = e.referer.match(/^https:\/\/[^/]+(\/.*)$/)?.[1];
      if (call?.groups && from) {
        const page = pages.map((r) => from.match(r)).find((m) => m);
        for (const [key, value] of Object.entries(call.groups)) {
          const shown = page?.groups?.[key];
          if (shown !== undefined) assert.equal(value, shown, `seed ${seed}: ${path} from ${from}`);
        }
      }
    }
  }
  assert.ok(sitesSeen.size >= 5, `only ${[...sitesSeen]}`);
});

Deno.test("weblog: browser versions are the ones current at the log's date; probes come from the node", async () => {
  for (const seed of SEEDS.slice(0, 20)) {
    const run = await captureModule(weblog, { seed });
    const v = versionsAt(new Date(TEST_EPOCH_MS));
    for (const e of run.output.trimEnd().split("\n").map(parse)) {
      const chrome = e.ua.match(/Chrome\/(\d+)\.0\.0\.0/);
      if (chrome) {
        const n = Number(chrome[1]);
        assert.ok(n <= v.chrome && n >= v.chrome - 3, `seed ${seed}: Chrome ${n} vs ${v.chrome}`);
      }
      const firefox = e.ua.match(/Firefox\/(\d+)\.0/);
      if (firefox && !e.ua.includes("Better Uptime")) {
        const n = Number(firefox[1]);
        assert.ok(n <= v.firefox && n >= v.firefox - 2, `seed ${seed}: Firefox ${n}`);
      }
      if (e.ua.startsWith("kube-probe")) assert.match(e.ip, /^10\./, `seed ${seed}`);
    }
  }
  // The cadence moves the versions along with the date.
  const later = versionsAt(new Date(TEST_EPOCH_MS + 365 * 86_400_000));
  assert.ok(later.chrome >= versionsAt(new Date(TEST_EPOCH_MS)).chrome + 11);
});

Deno.test("weblog: snapshot (seed 1, 80 columns, plain)", async (t) => {
  await t.assertSnapshot((await captureModule(weblog, { seed: 1, cols: 80 })).output);
});
