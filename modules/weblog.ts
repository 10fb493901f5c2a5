/**
 * weblog: `tail -f` on an nginx access log in the combined format. A small
 * traffic model drives it: visitors load a page and then its assets, API calls
 * and maybe another page; crawlers, uptime monitors, scripts and scanners
 * probing for `/.env` come and go; now and then the backend hiccups with 502s.
 *
 * @module
 */

import data from "../data/weblog.json" with { type: "json" };
import { hms, MONTHS, pad, utcOffset } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

/** One request as nginx logs it. */
export interface LogEntry {
  /** Pretend milliseconds since the module started (negative: already in the file). */
  t: number;
  ip: string;
  method: string;
  path: string;
  proto: string;
  status: number;
  bytes: number;
  referer: string;
  ua: string;
}

/** A site's own content as the data file describes it. */
export type SiteData = (typeof data.sites)[number];

/** A request template with its possible statuses and body sizes. */
interface ApiCall {
  method: string;
  path: string;
  status: number[];
  weights: number[];
  kb: number[];
}

/** Browser versions current at a date (they move with the log's own clock). */
export interface Versions {
  chrome: number;
  firefox: number;
  /** Safari `major.minor` strings, newest last. */
  safari: string[];
}

/** Everything about the site that stays fixed during one run. */
export interface Site {
  host: string;
  /** Its pages, words (products, slugs...) and API: one coherent site. */
  content: SiteData;
  versions: Versions;
  server: string;
  /** Asset paths with their sizes, in the order a page requests them. */
  assets: { path: string; bytes: number; via: "page" | "css" }[];
  /** The stylesheet fonts are loaded from. */
  css: string;
}

/** `05/Jan/2026:10:14:01 +0000`, from a wall-clock date read through its UTC fields. */
export function timeLocal(date: Date, offsetMinutes: number): string {
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${hms(date)} ` +
    utcOffset(offsetMinutes);
}

/** One line of the combined log format. */
export function renderEntry(e: LogEntry, date: Date, offsetMinutes: number): string {
  return `${e.ip} - - [${timeLocal(date, offsetMinutes)}] "${e.method} ${e.path} ${e.proto}" ` +
    `${e.status} ${e.bytes} "${e.referer}" "${e.ua}"`;
}

/** Size of nginx's own error page body for a status, which depends on the server token. */
export function errorPageBytes(status: number, server: string): number {
  const text = (data.statusText as Record<string, string>)[String(status)] ?? `${status}`;
  return 115 + 2 * text.length + server.length;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function kb(rng: Rng, range: readonly number[]): number {
  return Math.round(rng.float(range[0]! * 1024, range[1]! * 1024 + 1));
}

const DAY_MS = 86_400_000;

/** The newest Chrome, Firefox and Safari releases at `date`, from their release cadence. */
export function versionsAt(date: Date): Versions {
  const v = data.versions;
  const since = (iso: string) => (date.getTime() - Date.parse(iso)) / DAY_MS;
  const safariYears = since(v.safari.majorSince) / 365.25;
  const major = safariYears < 0 ? 18 : v.safari.major + Math.floor(safariYears);
  const minors = safariYears < 0
    ? 6
    : Math.min(6, Math.floor((safariYears % 1) * v.safari.minorsPerYear));
  const safari = Array.from({ length: minors + 1 }, (_, m) => `${major}.${m}`);
  if (minors < 2 && safariYears >= 0) safari.unshift(`${major - 1 === 25 ? 18 : major - 1}.6`);
  return {
    chrome: v.chrome.major + Math.floor(since(v.chrome.date) / v.chrome.days),
    firefox: v.firefox.major + Math.floor(since(v.firefox.date) / v.firefox.days),
    safari,
  };
}

/** Builds the site: one site's content, server token, hashed bundles and static files with sizes. */
export function buildSite(rng: Rng, date: Date): Site {
  const hash = () => Array.from({ length: 8 }, () => rng.pick([...ALNUM])).join("");
  const bundles = data.bundles.map((b) => ({
    path: `/assets/${b.name}-${hash()}.${b.ext}`,
    bytes: kb(rng, b.kb),
    via: "page" as const,
  }));
  const statics = data.staticAssets.map((a) => ({
    path: a.path,
    bytes: kb(rng, a.kb),
    via: a.via as "page" | "css",
  }));
  const css = bundles.find((b) => b.path.endsWith(".css"))!.path;
  const content = rng.pick(data.sites);
  return {
    host: content.host,
    content,
    versions: versionsAt(date),
    server: rng.pick(data.serverTokens),
    assets: [...bundles, ...statics],
    css,
  };
}

/** A random public IPv4 (no private, loopback, CGNAT, link-local or multicast ranges). */
export function publicIPv4(rng: Rng): string {
  for (;;) {
    const a = rng.int(1, 223);
    const b = rng.int(0, 255);
    if (a === 10 || a === 127 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254)) {
      continue;
    }
    if ((a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168)) continue;
    return `${a}.${b}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  }
}

function clientIp(rng: Rng): string {
  if (!rng.chance(0.22)) return publicIPv4(rng);
  const group = () => rng.int(0, 0xffff).toString(16);
  const prefix = rng.pick(["2a02", "2a01", "2001", "2600", "2607", "2804", "2409"]);
  return `${prefix}:${group()}:${group()}:${group()}:${group()}:${group()}:${group()}:${group()}`;
}

/**
 * Fills a template from the site's own words and the browser versions of the
 * day. Words already chosen for the page (`chosen`) are reused, so the API
 * calls a page makes name the same product or project as the page.
 */
export function fill(
  rng: Rng,
  site: Site,
  template: string,
  chosen: Record<string, string> = {},
): string {
  const words = site.content.words as Record<string, string[] | undefined>;
  const v = site.versions;
  return template
    .replaceAll("{chrome}", String(v.chrome - rng.weighted([0, 1, 2, 3], [5, 3, 1, 1])))
    .replaceAll("{firefox}", String(v.firefox - rng.weighted([0, 1, 2], [6, 3, 1])))
    .replaceAll("{safari}", rng.pick(v.safari.slice(-3)))
    .replace(/\{(\w+)\}/g, (_, key: string) => (chosen[key] ??= rng.pick(words[key] ?? [key])));
}

/** An address inside a crawler's published network, e.g. `66.249.{64-79}`. */
function netIp(rng: Rng, net: string): string {
  const m = net.match(/^(\d+\.\d+)\.\{(\d+)-(\d+)\}$/)!;
  return `${m[1]}.${rng.int(Number(m[2]), Number(m[3]))}.${rng.int(1, 254)}`;
}

/** Generates the requests of one run, sorted by time, between `from` and `to` ms. */
export function simulateTraffic(rng: Rng, site: Site, from: number, to: number): LogEntry[] {
  const out: LogEntry[] = [];
  const origin = `https://${site.host}`;
  const rate = rng.float(0.1, 0.6); // new sessions per second
  const cdn = rng.chance(0.35); // static files served from a CDN never reach this log
  const incident = rng.chance(0.3)
    ? { at: rng.float(from, to), len: rng.float(3000, 12000) }
    : null;
  const broken = (t: number) =>
    incident !== null && t >= incident.at && t < incident.at + incident.len;
  const emit = (e: LogEntry) => {
    if (e.t >= from && e.t < to) out.push(e);
  };
  const upstream = (t: number, ok: number, okBytes: number): [number, number] => {
    if (broken(t) && rng.chance(0.65)) {
      const status = rng.chance(0.7) ? 502 : 504;
      return [status, errorPageBytes(status, site.server)];
    }
    return [ok, okBytes];
  };

  const pages = site.content.pages;
  const api = site.content.api as ApiCall[];
  const pagePath = () => fill(rng, site, rng.weighted(pages, pages.map((p) => p.weight)).path);
  const pageView = (t: number, v: Visitor, referer: string, depth: number) => {
    const page = rng.weighted(pages, pages.map((p) => p.weight));
    const chosen: Record<string, string> = {};
    let path = fill(rng, site, page.path, chosen);
    if (path.endsWith("/") && path.length > 1 && rng.chance(0.15)) {
      // Typed without the trailing slash: nginx redirects first.
      const bytes = errorPageBytes(301, site.server);
      emit({ t, ...v.who, method: "GET", path: path.slice(0, -1), status: 301, bytes, referer });
      t += rng.int(40, 160);
    }
    const gone = page.path.includes("{slug}") && rng.chance(0.04);
    if (gone) {
      path = path.replace(/([^/]+)(\/?)$/, (_, s, slash) => `${s}-${rng.int(2019, 2023)}${slash}`);
    }
    const [status, bytes] = gone ? [404, kb(rng, [3, 6])] : upstream(t, 200, kb(rng, page.kb));
    emit({ t, ...v.who, method: "GET", path, status, bytes, referer });
    const url = origin + path;
    if (status === 200 && !v.cached && !cdn) {
      let at = t + rng.int(30, 180);
      for (const a of site.assets.filter((a) => a.via === "page")) {
        if (rng.chance(0.1)) continue;
        emit({
          t: at,
          ...v.who,
          method: "GET",
          path: a.path,
          status: 200,
          bytes: a.bytes,
          referer: url,
        });
        at += rng.chance(0.2) ? rng.int(60, 400) : rng.int(0, 25);
      }
      for (const a of site.assets.filter((a) => a.via === "css")) {
        emit({
          t: at,
          ...v.who,
          method: "GET",
          path: a.path,
          status: 200,
          bytes: a.bytes,
          referer: origin + site.css,
        });
        at += rng.int(0, 40);
      }
      v.cached = true;
    } else if (status === 200 && rng.chance(0.3)) {
      const icon = site.assets.find((a) => a.path === "/favicon.ico")!;
      emit({
        t: t + rng.int(50, 300),
        ...v.who,
        method: "GET",
        path: icon.path,
        status: 304,
        bytes: 0,
        referer: url,
      });
    }
    if (status === 200) {
      for (let i = rng.int(0, 3), at = t + rng.int(200, 900); i > 0; i--, at += rng.int(50, 1500)) {
        const call = rng.pick(api);
        const ok = rng.weighted(call.status, call.weights);
        const size = ok === 204 || ok === 304 ? 0 : kb(rng, call.kb);
        const [s, b] = upstream(at, ok, size);
        emit({
          t: at,
          ...v.who,
          method: call.method,
          path: fill(rng, site, call.path, chosen),
          status: s,
          bytes: b,
          referer: url,
        });
      }
    }
    if (depth < 6 && rng.chance(0.55)) {
      pageView(t + Math.min(60_000, 1500 + rng.exp(12_000)), v, url, depth + 1);
    }
  };

  const crawl = (t: number) => {
    const bot = rng.weighted(data.bots, data.bots.map((b) => b.weight));
    const who = { ip: netIp(rng, bot.net), ua: fill(rng, site, bot.ua), proto: "HTTP/1.1" };
    for (let i = rng.int(1, 4); i > 0; i--, t += rng.int(400, 6000)) {
      const path = rng.chance(0.25) ? rng.pick(data.botPaths) : pagePath();
      const missing = rng.chance(0.06);
      const [status, bytes] = missing
        ? [404, errorPageBytes(404, site.server)]
        : upstream(t, 200, kb(rng, [2, 40]));
      emit({ t, ...who, method: "GET", path, status, bytes, referer: "-" });
    }
  };

  const scan = (t: number) => {
    const who = {
      ip: publicIPv4(rng),
      ua: rng.pick(data.scanners),
      proto: rng.chance(0.8) ? "HTTP/1.1" : "HTTP/1.0",
    };
    const drop = rng.chance(0.3); // a `return 444` rule for known probes
    for (const path of rng.sample(data.probes, rng.int(2, 9))) {
      const [status, bytes] = drop ? [444, 0] : [404, errorPageBytes(404, site.server)];
      emit({
        t,
        ...who,
        method: path.endsWith(".php") && rng.chance(0.3) ? "POST" : "GET",
        path,
        status,
        bytes,
        referer: "-",
      });
      t += rng.int(20, 700);
    }
  };

  const script = (t: number) => {
    const gets = api.filter((a) => a.method === "GET");
    const call = gets.length > 0 ? rng.pick(gets) : { path: "/feed.xml", kb: [6, 40] };
    const [status, bytes] = upstream(t, 200, kb(rng, call.kb));
    emit({
      t,
      ip: publicIPv4(rng),
      ua: rng.pick(data.tools),
      proto: "HTTP/1.1",
      method: "GET",
      path: fill(rng, site, call.path),
      status,
      bytes,
      referer: "-",
    });
  };

  for (const mon of rng.sample(data.monitors, rng.int(1, 2))) {
    const every = rng.pick([30_000, 60_000]);
    // A kubelet probes from its node's address; hosted monitors from the internet.
    const ip = "from" in mon
      ? `10.${rng.int(0, 3)}.${rng.int(0, 255)}.${rng.int(2, 254)}`
      : publicIPv4(rng);
    for (let t = from + rng.float(0, every); t < to; t += every + rng.int(-150, 150)) {
      const [status, bytes] = upstream(t, 200, mon.method === "HEAD" ? 0 : rng.int(2, 60));
      emit({
        t,
        ip,
        ua: mon.ua,
        proto: "HTTP/1.1",
        method: mon.method,
        path: mon.path,
        status,
        bytes: mon.method === "HEAD" ? 0 : bytes,
        referer: "-",
      });
    }
  }

  for (let t = from + rng.exp(1000 / rate); t < to; t += rng.exp(1000 / rate)) {
    const kind = rng.weighted(["visit", "crawl", "scan", "script"], [70, 18, 4, 8]);
    if (kind === "visit") {
      const browser = rng.weighted(data.browsers, data.browsers.map((b) => b.weight));
      const who = {
        ip: clientIp(rng),
        ua: fill(rng, site, browser.ua),
        proto: rng.chance(browser.h2) ? "HTTP/2.0" : "HTTP/1.1",
      };
      const v: Visitor = { who, cached: rng.chance(0.35) };
      pageView(t, v, rng.chance(0.45) ? "-" : rng.pick(data.referrers), 0);
    } else if (kind === "crawl") crawl(t);
    else if (kind === "scan") scan(t);
    else script(t);
  }
  return out.sort((a, b) => a.t - b.t);
}

/** A browser session: who it is and whether it has the assets cached. */
interface Visitor {
  who: { ip: string; ua: string; proto: string };
  cached: boolean;
}

/** The weblog module. */
export const weblog: Module = {
  name: "weblog",
  signature: "tail -f /var/log/nginx/access.log",
  about: "Follows an nginx access log: visitors, crawlers, monitors and scanners",
  maxDurationMs: 130_000,
  async run(ctx: Context): Promise<void> {
    const { rng, out } = ctx;
    const wallStart = ctx.clock.wall().getTime();
    const start = ctx.clock.now();
    const offset = ctx.clock.utcOffsetMinutes;
    const length = rng.float(15_000, 120_000);
    const site = buildSite(rng, new Date(wallStart));
    const entries = simulateTraffic(rng, site, -rng.float(20_000, 90_000), length);
    const line = (e: LogEntry) => renderEntry(e, new Date(wallStart + Math.floor(e.t)), offset);
    // tail starts with the last ten lines already in the file.
    const backlog = entries.filter((e) => e.t < 0);
    for (const e of backlog.slice(-10)) out.line(line(e));
    await ctx.sleep(rng.int(20, 120));
    for (const e of entries.slice(backlog.length)) {
      const wait = start + e.t - ctx.clock.now();
      if (wait > 0) await ctx.sleep(wait);
      out.line(line(e));
    }
    // tail never ends by itself; the user stops it a moment after the last request.
    await ctx.sleep(Math.max(0, start + length - ctx.clock.now()));
  },
};
