/**
 * download: `wget -T 15 -i downloads.txt` as GNU wget 1.24 prints it. Per file
 * the `--date--  URL` stamp, DNS (cached per host), the connection (reused when
 * the previous file came from the same host), redirects to mirrors and CDNs,
 * `Length:` and `Saving to:`, then wget's progress bar redrawn every 200 ms
 * with its own geometry (a quarter of the width for the name, scrolling when too
 * long), the speed over the last few seconds, and wget's ETA. The finished bar
 * and the `saved [n/n]` line stay; the run ends with `FINISHED`, the wall clock
 * time and the `Downloaded:` total. Sizes and rates use wget's 1024-based
 * `K/M/G` without "i". Every figure is computed from the bytes actually
 * "received" and the pretend time spent.
 *
 * @module
 */

import data from "../data/download.json" with { type: "json" };
import { hms, ymd } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

/** A file as stored in the data file. */
interface FileData {
  url: string;
  size: number;
  mime: string;
  name?: string;
}

/** Per-host facts from the data file. */
interface HostData {
  redirect?: { hosts: string[]; path: string; minSize?: number };
  cap?: number;
  lan?: boolean;
  /** Key into `providers`: whose address ranges the host's DNS answers come from. */
  provider?: string;
}

const HOSTS = data.hosts as Record<string, HostData>;
const THEMES = data.themes as { id: string; files: FileData[] }[];
/** wget redraws the bar every 200 ms. */
const TICK_MS = 200;
/** Samples kept for the speed shown in the bar (wget keeps 20). */
const HISTORY = 20;
/** wget recomputes the ETA about once a second. */
const ETA_REFRESH_S = 0.99;
/** Connect timeout from `-T 15`. */
const TIMEOUT_MS = 15_000;
const MB = 1024 * 1024;

/**
 * wget's `human_readable`: bytes below 1024 as an integer, otherwise K/M/G/T
 * (1024-based) with `decimals` digits while the value is below `acc`.
 */
export function humanReadable(n: number, acc: number, decimals: number): string {
  if (n < 1024) return String(Math.trunc(n));
  const powers = "KMGTPEZY";
  let v = n;
  for (let i = 0; i < powers.length; i++) {
    if (v / 1024 < 1024 || i === powers.length - 1) {
      const val = v / 1024;
      return `${val.toFixed(val < acc ? decimals : 0)}${powers[i]}`;
    }
    v /= 1024;
  }
  return String(n);
}

/** wget's `calc_rate`: a rate in bytes per second as a value and unit index (B, KB, MB, GB). */
function calcRate(bytesPerSecond: number): { value: number; unit: number } {
  let value = bytesPerSecond;
  let unit = 0;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    unit++;
  }
  return { value, unit };
}

/** Digits wget shows for a rate: `1022`, `247`, `12.5`, `2.38`. */
function rateDigits(value: number): number {
  return value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2;
}

/** The rate in the progress bar: `48.3MB/s`, padded like `%4.*f`. */
export function barRate(bytesPerSecond: number): string {
  const { value, unit } = calcRate(bytesPerSecond);
  const units = [" B/s", "KB/s", "MB/s", "GB/s"];
  return value.toFixed(rateDigits(value)).padStart(4) + units[unit];
}

/** wget's `retr_rate`: `47.9 MB/s`. */
export function retrRate(bytes: number, seconds: number): string {
  const { value, unit } = calcRate(bytes / Math.max(seconds, 0.0005));
  return `${value.toFixed(rateDigits(value))} ${["B/s", "KB/s", "MB/s", "GB/s"][unit]}`;
}

/** wget's `eta_to_human_short`: `65s`, `2m 6s`, `1h 5m`, `2d 3h`. */
export function etaShort(secs: number): string {
  if (secs < 100) return `${secs}s`;
  if (secs < 100 * 60) return `${Math.floor(secs / 60)}m ${secs % 60}s`;
  if (secs < 48 * 3600) return `${Math.floor(secs / 3600)}h ${Math.floor(secs / 60) % 60}m`;
  if (secs < 100 * 86400) return `${Math.floor(secs / 86400)}d ${Math.floor(secs / 3600) % 24}h`;
  return `${Math.floor(secs / 86400)}d`;
}

/** wget's `print_decimal`: `12`, `4.2`, `0.05`, `0`. */
export function printDecimal(n: number): string {
  if (n >= 9.95) return n.toFixed(0);
  if (n >= 0.95) return n.toFixed(1);
  if (n >= 0.001) return String(Number(n.toPrecision(1)));
  if (n >= 0.0005) return n.toFixed(3);
  return "0";
}

/** wget's `secs_to_human_time`: `7m 32s`, `1h 2m 3s`, `12s`, `4.2s`. */
export function secsToHuman(interval: number): string {
  let secs = Math.floor(interval + 0.5);
  const days = Math.floor(secs / 86400);
  secs %= 86400;
  const hours = Math.floor(secs / 3600);
  secs %= 3600;
  const mins = Math.floor(secs / 60);
  secs %= 60;
  if (days) return `${days}d ${hours}h ${mins}m ${secs}s`;
  if (hours) return `${hours}h ${mins}m ${secs}s`;
  if (mins) return `${mins}m ${secs}s`;
  return `${printDecimal(interval)}s`;
}

/** What the progress bar shows at one moment. */
export interface BarState {
  name: string;
  total: number;
  /** Bytes received so far (cumulative). */
  count: number;
  /** Seconds since the transfer started. */
  elapsed: number;
  /** Recent speed in bytes per second, or undefined before the first sample. */
  rate: number | undefined;
  /** Seconds left as last computed, or undefined while wget shows none. */
  eta: number | undefined;
  done: boolean;
  /** Redraw counter (drives the scrolling name). */
  tick: number;
}

/** Which parts of the bar fit a terminal width. */
export interface Geometry {
  nameCols: number;
  barCols: number;
  size: boolean;
  speed: boolean;
  eta: boolean;
}

/**
 * wget's geometry: the line is one column narrower than the terminal, the name
 * takes a quarter, the bar what the fixed fields leave (dropped under 5). Below
 * that wget would overflow; here the ETA, then the speed, then the size go.
 */
export function geometry(cols: number): Geometry {
  const w = Math.max(1, cols - 1);
  let nameCols = Math.floor(w / 4);
  let barCols = w - (nameCols + 1 + 4 + 2 + 8 + 10 + 15);
  const g = { nameCols, barCols, size: true, speed: true, eta: true };
  if (barCols >= 5) return g;
  barCols = 0;
  let need = nameCols + 1 + 4 + 8 + 10 + 15;
  if (need > w) (g.eta = false, need -= 15);
  if (need > w) (g.speed = false, need -= 10);
  if (need > w) (g.size = false, need -= 8);
  if (need > w) nameCols = Math.max(0, w - 5);
  return { ...g, nameCols, barCols };
}

/** The name column: padded, cut, or scrolling like a marquee while a long name downloads. */
function nameColumn(name: string, cols: number, tick: number, done: boolean): string {
  const chars = [...name];
  if (chars.length <= cols) return name + " ".repeat(cols - chars.length + 1);
  let offset = 0;
  let lead = 0;
  if (chars.length > cols + 5 && !done) {
    offset = (tick + chars.length + Math.floor(cols / 2)) % (chars.length + cols);
    if (offset > chars.length) {
      lead = cols - (offset - chars.length);
      offset = 0;
    }
  }
  const shown = chars.slice(offset, offset + cols - lead).join("");
  return " ".repeat(lead) + shown + " ".repeat(cols - lead - [...shown].length + 1);
}

/** One progress line, as wget's `create_image` draws it (trailing padding dropped). */
export function renderBar(s: BarState, cols: number): string {
  const g = geometry(cols);
  let line = g.nameCols > 0 ? nameColumn(s.name, g.nameCols, s.tick, s.done) : "";
  line += `${String(Math.floor((100 * s.count) / s.total)).padStart(3)}%`;
  if (g.barCols > 0) {
    const filled = Math.floor((s.count / s.total) * g.barCols);
    const arrow = filled > 0 ? "=".repeat(filled - 1) + ">" : "";
    line += `[${arrow}${" ".repeat(g.barCols - filled)}]`;
  }
  if (g.size) line += humanReadable(s.count, 1000, 2).padStart(8);
  if (g.speed) line += s.rate === undefined ? "  --.-KB/s" : `  ${barRate(s.rate)}`;
  if (g.eta) {
    if (s.done) {
      const t = s.elapsed >= 10
        ? etaShort(Math.floor(s.elapsed + 0.5))
        : `${printDecimal(s.elapsed)}s`;
      line += `    in ${t}`;
    } else if (s.eta !== undefined) {
      line += `    eta ${etaShort(s.eta)}`;
    }
  }
  return line.trimEnd();
}

/** A file chosen for this run, with the speed it will arrive at. */
interface Job {
  file: FileData;
  name: string;
  url: string;
  /** Bytes per millisecond once the transfer has ramped up. */
  speed: number;
  /** Whether the first connection attempt times out. */
  timeout: boolean;
}

/** Picks a theme, a link speed and as many files as fit a drawn time budget. */
function planJobs(rng: Rng, date: string): Job[] {
  const theme = rng.pick(THEMES);
  const link = rng.weighted(data.links, data.links.map((l) => l.weight));
  const linkMBps = rng.float(link.min, link.max);
  const budgetMs = Math.min(160_000, Math.max(12_000, rng.logNormal(55_000, 0.55)));
  const start = rng.int(0, theme.files.length - 1);
  const files = rng.chance(0.5)
    ? [...theme.files.slice(start), ...theme.files.slice(0, start)]
    : rng.shuffle(theme.files);
  const jobs: Job[] = [];
  let spent = 0;
  const add = (file: FileData, speed: number) => {
    const url = file.url.replaceAll("{date}", date);
    const name = file.name ?? decodeURIComponent(url.split("/").at(-1) ?? "index.html");
    jobs.push({ file, name, url, speed, timeout: false });
    spent += file.size / speed + 600;
  };
  for (const file of files) {
    const h = HOSTS[hostOf(file.url)] ?? {};
    const capMBps = h.lan ? rng.pick([112, 112, 560, 1100]) : (h.cap ?? Infinity);
    let speed = (Math.min(linkMBps, capMBps) * rng.float(0.75, 1) * MB) / 1000;
    const estimate = file.size / speed + 600;
    if (jobs.length > 0 && spent + estimate > budgetMs) continue;
    if (jobs.length === 0 && estimate > 150_000) speed = file.size / rng.float(90_000, 150_000);
    add(file, speed);
    if (spent > budgetMs * 0.8) break;
  }
  if (spent < 10_000) {
    // Only small files fitted: add the biggest one left, arriving fast enough to fit.
    const left = files.filter((f) => !jobs.some((j) => j.file === f));
    const big = left.sort((x, y) => y.size - x.size)[0];
    if (big) add(big, big.size / rng.float(Math.min(20_000, budgetMs), budgetMs));
  }
  if (rng.chance(0.12)) {
    // Only a host met for the first time: its connection cannot be reused.
    const firsts = jobs.filter((j, i) =>
      !HOSTS[hostOf(j.url)]?.lan && jobs.findIndex((k) => hostOf(k.url) === hostOf(j.url)) === i
    );
    if (firsts.length > 0) rng.pick(firsts).timeout = true;
  }
  return jobs;
}

/** `host` of an URL. */
function hostOf(url: string): string {
  return new URL(url).hostname;
}

/** Resolved addresses of a host. */
export interface Addresses {
  v4: string[];
  v6: string[];
}

/** An address block of a provider. */
interface Provider {
  v4: string[];
  v6: string[];
  /** How many IPv4 and IPv6 addresses its DNS answers carry. */
  count: number[];
  /** The exact addresses, for providers that always answer with the same ones. */
  exact?: { v4: string[]; v6: string[] };
}

const PROVIDERS = data.providers as Record<string, Provider>;

/** The provider serving a host (its addresses come from that provider's real ranges). */
export function providerOf(host: string): Provider {
  const name = HOSTS[host]?.provider;
  const provider = name === undefined ? undefined : PROVIDERS[name];
  if (!provider) throw new RangeError(`download: no provider for ${host}`);
  return provider;
}

/** The 32-bit value of a dotted IPv4 address. */
export function v4Value(addr: string): number {
  return addr.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded). */
export function v6Groups(addr: string): number[] {
  const [head, tail] = addr.includes("::") ? addr.split("::") : [addr, undefined];
  const a = head ? head.split(":").map((g) => parseInt(g, 16)) : [];
  const b = tail ? tail.split(":").map((g) => parseInt(g, 16)) : [];
  return [...a, ...Array(8 - a.length - b.length).fill(0), ...b];
}

/** Whether `addr` lies inside `cidr` (IPv4 or IPv6). */
export function inCidr(addr: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/") as [string, string];
  const prefix = Number(bits);
  if (addr.includes(":") !== base.includes(":")) return false;
  if (!addr.includes(":")) {
    const size = 2 ** (32 - prefix);
    return Math.floor(v4Value(addr) / size) === Math.floor(v4Value(base) / size);
  }
  const [x, y] = [v6Groups(addr), v6Groups(base)];
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, prefix - i * 16));
    if (keep === 0) break;
    if (x[i]! >> (16 - keep) !== y[i]! >> (16 - keep)) return false;
  }
  return true;
}

/** An IPv6 address in text form, the longest run of zero groups shortened to `::`. */
function v6Text(groups: number[]): string {
  let [best, bestLen] = [-1, 1];
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/** A host address inside `cidr`, shaped as providers number their front ends. */
function addressIn(rng: Rng, cidr: string): string {
  const [base, bits] = cidr.split("/") as [string, string];
  const prefix = Number(bits);
  if (!base.includes(":")) {
    const size = 2 ** (32 - prefix);
    const start = Math.floor(v4Value(base) / size) * size;
    let value = start + rng.int(0, size - 1);
    if (value % 256 === 0 || value % 256 === 255) value = value - (value % 256) + rng.int(1, 254);
    return [24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256).join(".");
  }
  const groups = v6Groups(base);
  for (let i = 0; i < 8; i++) {
    const keep = prefix - i * 16;
    if (keep >= 16) continue;
    if (keep > 0) {
      groups[i] = (groups[i]! & ~((1 << (16 - keep)) - 1)) | rng.int(0, (1 << (16 - keep)) - 1);
    } else if (i * 16 === prefix && prefix < 64 && rng.chance(0.6)) groups[i] = rng.int(1, 0xfff);
  }
  groups[7] = rng.int(1, 0xfff);
  return v6Text(groups);
}

/** What a host resolves to: a few addresses from its provider's ranges. */
function makeAddresses(rng: Rng, host: string, single: boolean): Addresses {
  const p = providerOf(host);
  if (p.exact) {
    const v4 = rng.shuffle(p.exact.v4);
    return { v4: single ? v4.slice(0, 1) : v4, v6: rng.shuffle(p.exact.v6) };
  }
  const v4Cidr = rng.pick(p.v4);
  const v4 = new Set<string>();
  while (v4.size < (single ? 1 : p.count[0]!)) v4.add(addressIn(rng, v4Cidr));
  const v6 = new Set<string>();
  if (p.v6.length > 0) {
    const v6Cidr = rng.pick(p.v6);
    while (v6.size < p.count[1]!) v6.add(addressIn(rng, v6Cidr));
  }
  return { v4: [...v4], v6: [...v6] };
}

/** The `Resolving` answer as wget prints it: at most three addresses, then `, ...`. */
export function addressList(addrs: Addresses): string {
  const all = [...addrs.v4, ...addrs.v6];
  return all.length > 3 ? `${all.slice(0, 3).join(", ")}, ...` : all.join(", ");
}

/** `2026-03-14T10:30:00Z` with the colons percent-encoded, as signed URLs carry it. */
function isoParam(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z").replaceAll(":", "%3A");
}

/** Base64 of random bytes, percent-encoded for a query string (`%2B`, `%2F`, `%3D`). */
function base64Param(rng: Rng, bytes: number): string {
  const raw = String.fromCharCode(...Array.from({ length: bytes }, () => rng.int(0, 255)));
  return btoa(raw).replaceAll("+", "%2B").replaceAll("/", "%2F").replaceAll("=", "%3D");
}

/** Base64url without padding, as JWTs use it. */
function base64Url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** A UUID in its 8-4-4-4-12 form. */
function uuid(rng: Rng): string {
  return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${rng.pick(["8", "9", "a", "b"])}${
    rng.hex(3)
  }-${rng.hex(12)}`;
}

/** The URL a redirect points to, signed at `nowMs` (the time of the request). */
function redirectTarget(url: string, style: string, host: string, rng: Rng, nowMs: number): string {
  const u = new URL(url);
  const file = u.pathname.split("/").at(-1) ?? "";
  const now = new Date(nowMs).toISOString();
  const amzDate = now.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  switch (style) {
    case "xet":
      return `https://${host}/xet-bridge-us/${rng.hex(24)}/${
        rng.hex(64)
      }?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&X-Amz-Credential=cas%2F${
        amzDate.slice(0, 8)
      }%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=${amzDate}&X-Amz-Expires=3600&X-Amz-Signature=${
        rng.hex(64)
      }&X-Amz-SignedHeaders=host&X-Xet-Cas-Uid=public&response-content-disposition=inline%3B+filename%3D%22${file}%22&x-id=GetObject`;
    case "github": {
      // The blob SAS expires about half an hour after the request; its signing key was issued earlier.
      const expires = nowMs + rng.int(30 * 60, 38 * 60) * 1000;
      const keyStart = nowMs - rng.int(0, 20 * 60) * 1000;
      const jwt = [
        base64Url(JSON.stringify({ typ: "JWT", alg: "HS256" })),
        base64Url(JSON.stringify({
          iss: "github.com",
          aud: "release-assets.githubusercontent.com",
          key: "key1",
          exp: Math.floor(nowMs / 1000) + 300,
          nbf: Math.floor(nowMs / 1000) - 300,
          path: "releaseassetproduction.blob.core.windows.net",
        })),
        base64Url(String.fromCharCode(...Array.from({ length: 32 }, () => rng.int(0, 255)))),
      ].join(".");
      return `https://${host}/github-production-release-asset/${rng.int(10_000_000, 999_999_999)}/${
        uuid(rng)
      }?sp=r&sv=2018-11-09&sr=b&spr=https&se=${
        isoParam(expires)
      }&rscd=attachment%3B+filename%3D${file}&rsct=application%2Foctet-stream&skoid=${
        uuid(rng)
      }&sktid=${uuid(rng)}&skt=${isoParam(keyStart)}&ske=${
        isoParam(keyStart + 3600_000 + rng.int(0, 300) * 1000)
      }&sks=b&skv=2018-11-09&sig=${
        base64Param(rng, 32)
      }&jwt=${jwt}&response-content-disposition=attachment%3B%20filename%3D${file}&response-content-type=application%2Foctet-stream`;
    }
    case "go":
      return `https://${host}/go/${file}`;
    case "nixos":
      return `https://${host}/nixos/25.05/nixos-25.05.${rng.int(800, 990)}.${
        rng.hex(12)
      }/nixos-minimal-25.05.${rng.int(800, 990)}.${rng.hex(12)}-x86_64-linux.iso`;
    default:
      return `https://${host}${u.pathname}`;
  }
}

/** The `download` module. */
export const download: Module = {
  name: "download",
  signature: "wget -T 15 -i downloads.txt",
  about: "Download ISOs, model weights and datasets with GNU wget's progress bar",
  maxDurationMs: 240_000,
  async run(ctx: Context): Promise<void> {
    const { out, rng } = ctx;
    const t0 = ctx.clock.now();
    const stamp = () => {
      const d = ctx.clock.wall();
      return `${ymd(d)} ${hms(d)}`;
    };
    const yesterday = new Date(ctx.clock.wall().getTime() - 86_400_000);
    const jobs = planJobs(rng, ymd(yesterday));
    const resolved = new Map<string, Addresses>();
    let connectedTo = "";
    let totalBytes = 0;
    let transferMs = 0;

    const connect = async (host: string, port: number, timeout: boolean, url: string) => {
      let addrs = resolved.get(host);
      const label = `${host} (${host})`;
      if (!addrs) {
        addrs = makeAddresses(rng, host, timeout);
        resolved.set(host, addrs);
        out.write(`Resolving ${label}... `);
        await ctx.sleep(rng.logNormal(25, 0.8));
        out.line(addressList(addrs));
      } else if (connectedTo === host) {
        out.line(`Reusing existing connection to ${host}:${port}.`);
        return;
      }
      const first = addrs.v4[0] as string;
      if (timeout) {
        out.write(`Connecting to ${label}|${first}|:${port}... `);
        await ctx.sleep(TIMEOUT_MS);
        out.line("failed: Connection timed out.");
        for (const v6 of addrs.v6) {
          out.write(`Connecting to ${label}|${v6}|:${port}... `);
          await ctx.sleep(rng.float(1, 4));
          out.line("failed: Network is unreachable.");
        }
        out.line("Retrying.");
        out.line();
        await ctx.sleep(1000);
        out.line(`--${stamp()}--  (try: 2)  ${url}`);
      }
      out.write(`Connecting to ${label}|${first}|:${port}... `);
      await ctx.sleep(rng.logNormal(HOSTS[host]?.lan ? 2 : 45, 0.6));
      out.line("connected.");
      connectedTo = host;
    };

    for (const job of jobs) {
      let url = job.url;
      out.line(`--${stamp()}--  ${url}`);
      for (let hop = 0;; hop++) {
        const u = new URL(url);
        const host = u.hostname;
        const port = Number(u.port || 443);
        await connect(host, port, job.timeout && hop === 0, url);
        out.write("HTTP request sent, awaiting response... ");
        await ctx.sleep(rng.logNormal(HOSTS[host]?.lan ? 8 : 140, 0.6));
        const redirect = HOSTS[host]?.redirect;
        if (hop === 0 && redirect && job.file.size >= (redirect.minSize ?? 0)) {
          out.line("302 Found");
          url = redirectTarget(
            url,
            redirect.path,
            rng.pick(redirect.hosts),
            rng,
            ctx.clock.wall().getTime(),
          );
          out.line(`Location: ${url} [following]`);
          out.line(`--${stamp()}--  ${url}`);
          continue;
        }
        out.line("200 OK");
        break;
      }
      const size = job.file.size;
      out.line(
        `Length: ${size}${
          size >= 1024 ? ` (${humanReadable(size, 10, 1)})` : ""
        } [${job.file.mime}]`,
      );
      out.line(`Saving to: ‘${job.name}’`);
      out.line();
      const seconds = await transfer(ctx, job);
      transferMs += seconds * 1000;
      totalBytes += size;
      out.line();
      out.line(`${stamp()} (${retrRate(size, seconds)}) - ‘${job.name}’ saved [${size}/${size}]`);
      out.line();
    }
    out.line(`FINISHED --${stamp()}--`);
    out.line(`Total wall clock time: ${secsToHuman((ctx.clock.now() - t0) / 1000)}`);
    out.line(
      `Downloaded: ${jobs.length} files, ${humanReadable(totalBytes, 10, 1)} in ${
        secsToHuman(transferMs / 1000)
      } (${retrRate(totalBytes, transferMs / 1000)})`,
    );
  },
};

/**
 * Receives one file: the speed ramps up (slow start), then wanders with
 * correlated jitter and the odd stall. Redraws the bar every tick; returns the
 * transfer time in seconds.
 */
async function transfer(ctx: Context, job: Job): Promise<number> {
  const { out, rng } = ctx;
  const total = job.file.size;
  const rampMs = rng.float(300, 1500);
  const history: { ms: number; bytes: number }[] = [];
  const state: BarState = {
    name: job.name,
    total,
    count: 0,
    elapsed: 0,
    rate: undefined,
    eta: undefined,
    done: false,
    tick: 0,
  };
  let t = 0;
  let noise = 0;
  let stall = 0;
  let etaAt = -Infinity;
  while (state.count < total) {
    noise = 0.85 * noise + rng.normal(0, 0.05);
    if (stall > 0) stall -= TICK_MS;
    else if (t > 2000 && rng.chance(0.004)) stall = rng.float(600, 2500);
    const ramp = 1 - Math.exp(-(t + TICK_MS / 2) / rampMs);
    const speed = job.speed * ramp * Math.exp(noise) * (stall > 0 ? 0.3 : 1);
    let ms = TICK_MS;
    let bytes = Math.max(1, Math.round(speed * ms));
    if (state.count + bytes >= total) {
      bytes = total - state.count;
      ms = bytes / speed;
    }
    await ctx.sleep(ms);
    t += ms;
    state.count += bytes;
    state.elapsed = t / 1000;
    history.push({ ms, bytes });
    if (history.length > HISTORY) history.shift();
    const windowMs = history.reduce((a, h) => a + h.ms, 0);
    // wget takes no speed sample before 150 ms have passed.
    state.rate = t >= 150
      ? (history.reduce((a, h) => a + h.bytes, 0) / windowMs) * 1000
      : undefined;
    if (state.elapsed > 3 && state.elapsed - etaAt >= ETA_REFRESH_S) {
      state.eta = Math.floor((state.elapsed * (total - state.count)) / state.count + 0.5);
      etaAt = state.elapsed;
    }
    state.tick++;
    if (state.count < total) out.live([renderBar(state, ctx.term.cols)]);
  }
  state.done = true;
  out.live([]);
  out.line(renderBar(state, ctx.term.cols));
  return t / 1000;
}
