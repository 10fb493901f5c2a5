/**
 * ffmpeg: one transcode with ffmpeg 7.1: the banner (unless `-hide_banner`),
 * the input's container and streams, the stream mapping, the encoder's start-up
 * chatter (x264, x265, NVENC), the output header, the status line
 * (`frame= fps= q= size= time= bitrate= speed= elapsed=`) rewritten in place,
 * then the muxer's summary, the final status line with `Lsize=` and the
 * encoder's statistics.
 *
 * One media file per run: an OBS screen recording, a ProRes camera clip or a
 * long master MKV, each with its own streams, and a recipe that suits it. The
 * numbers hold together: `time=` advances at `speed=` times the elapsed time,
 * frames are time × frame rate, `fps=` is frames over elapsed, size grows at the
 * output bitrate, and the final sizes add up to the muxer's summary. Now and
 * then the user presses `q` part-way.
 *
 * ffmpeg writes the status line with `\r` whatever stderr is; in a pipe this
 * module prints it as the plain renderer samples the live line.
 *
 * @module
 */

import data from "../data/ffmpeg.json" with { type: "json" };
import { clamp, pad } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Context, Module } from "../core/types.ts";

type Recipe = "nvenc" | "x264" | "x265";
type Source = (typeof data.sources)[number];

/** One transcode, drawn up front. */
export interface Job {
  source: Source;
  file: string;
  out: string;
  recipe: Recipe;
  preset: string;
  crf: number;
  width: number;
  height: number;
  outHeight: number;
  outWidth: number;
  /** Input duration in seconds. */
  duration: number;
  /** Encoding frames per second (mean). */
  encodeFps: number;
  /** Output video bitrate, kbit/s. */
  videoKbps: number;
  /** Output audio bitrate over all audio streams, kbit/s. */
  audioKbps: number;
  inputKbps: number;
  hideBanner: boolean;
  /** Fraction of the input encoded before the user presses q (1: the whole file). */
  quitAt: number;
  /** Heap-like addresses for the log prefixes. */
  addr: { out: string; enc: string; aac: string };
  command: string;
  cores: number;
}

function address(rng: Rng): string {
  return `0x${rng.pick(["55", "56", "5d", "62"])}${rng.hex(9)}0`;
}

/** Draws one transcode. */
export function planJob(rng: Rng): Job {
  const source = rng.pick(data.sources);
  const [width, height] = rng.pick(source.video.sizes) as [number, number];
  const file = rng.pick(source.files);
  const fps = source.video.fps;
  const megapixels = (width * height) / 1e6;
  let recipe: Recipe;
  if (source.kind === "master") recipe = "nvenc";
  else if (source.kind === "prores") recipe = rng.chance(0.6) ? "x265" : "x264";
  else recipe = rng.chance(0.5) ? "nvenc" : "x264";
  const preset = recipe === "nvenc"
    ? "p5"
    : recipe === "x265"
    ? "medium"
    : source.kind === "obs"
    ? rng.pick(["veryfast", "fast"])
    : rng.pick(["fast", "medium"]);
  // Downscale big ProRes to 1080p for the slow software encoders.
  const outHeight = recipe !== "nvenc" && height > 1080 ? 1080 : height;
  const outWidth = Math.round((width * outHeight) / height / 2) * 2;
  const outMp = (outWidth * outHeight) / 1e6;
  const baseFps = recipe === "nvenc"
    ? 880 / Math.max(1, megapixels)
    : recipe === "x265"
    ? 62 / outMp
    : { veryfast: 560, fast: 330, medium: 210 }[preset as "fast"]! / outMp;
  const encodeFps = baseFps * rng.float(0.8, 1.2);
  // Keep the run within a few minutes: a long master, a shorter clip otherwise.
  const [minMin, maxMin] = source.minutes as [number, number];
  const wanted = rng.float(minMin, maxMin) * 60;
  const budget = rng.float(60, 190);
  const duration = Math.round(Math.min(wanted, (budget * encodeFps) / fps) * 100) / 100 +
    rng.float(0, 0.99);
  const [loK, hiK] = source.video.kbps as [number, number];
  const inputVideo = source.kind === "prores"
    ? (width >= 3840 ? hiK : loK) * rng.float(0.98, 1.02)
    : rng.float(loK, hiK);
  const videoKbps = recipe === "nvenc"
    ? rng.float(2200, 5200) * megapixels / 2
    : recipe === "x265"
    ? rng.float(1800, 4200) * outMp / 2
    : rng.float(3000, 7500) * outMp / 2;
  const audioIn = source.audio.reduce((a, s) => a + s.kbps, 0);
  const audioKbps = recipe === "nvenc" ? audioIn : source.kind === "prores" ? 192 : 160;
  const out = file.replace(/\.(mkv|mov)$/, "") + (recipe === "nvenc" ? ".hevc.mkv" : ".mp4");
  const hideBanner = rng.chance(0.35);
  const args = [
    "ffmpeg",
    ...(hideBanner ? ["-hide_banner"] : []),
    ...(recipe === "nvenc" ? ["-hwaccel", "cuda"] : []),
    "-i",
    quote(file),
    ...(recipe === "nvenc" ? ["-map", "0"] : []),
    ...(outHeight !== height ? ["-vf", `scale=-2:${outHeight}`] : []),
    ...(recipe === "nvenc"
      ? ["-c:v", "hevc_nvenc", "-preset", "p5", "-cq", "24", "-c:a", "copy", "-c:s", "copy"]
      : recipe === "x265"
      ? ["-c:v", "libx265", "-preset", "medium", "-crf", "22", "-pix_fmt", "yuv420p10le"]
      : ["-c:v", "libx264", "-preset", preset, "-crf", "23"]),
    ...(recipe === "nvenc" ? [] : ["-c:a", "aac", "-b:a", `${audioKbps}k`]),
    quote(out),
  ];
  return {
    source,
    file,
    out,
    recipe,
    preset,
    crf: recipe === "x265" ? 22 : recipe === "x264" ? 23 : 24,
    width,
    height,
    outHeight,
    outWidth,
    duration,
    encodeFps,
    videoKbps,
    audioKbps,
    inputKbps: Math.round(inputVideo + audioIn + rng.float(2, 30)),
    hideBanner,
    quitAt: rng.chance(0.1) ? rng.float(0.3, 0.8) : 1,
    addr: { out: address(rng), enc: address(rng), aac: address(rng) },
    command: args.join(" "),
    cores: rng.pick([8, 12, 16, 24, 32]),
  };
}

function quote(file: string): string {
  return file.includes(" ") ? `"${file}"` : file;
}

/** ffmpeg's `HH:MM:SS.cc` (time=, Duration:). */
export function timestamp(seconds: number): string {
  const cs = Math.floor(seconds * 100 + 1e-6);
  const s = Math.floor(cs / 100);
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${
    pad(cs % 100)
  }`;
}

/** Matroska's DURATION tag: `00:23:41.516000000`. */
function longDuration(seconds: number): string {
  const ms = Math.floor(seconds * 1000);
  const s = Math.floor(ms / 1000);
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${
    String(ms % 1000).padStart(3, "0")
  }000000`;
}

/** The elapsed= field: `0:00:06.60`. */
export function elapsedText(seconds: number): string {
  const cs = Math.floor(seconds * 100);
  const s = Math.floor(cs / 100);
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${pad(cs % 100)}`;
}

/** C's `%4.3g` as ffmpeg uses it for speed=. */
export function speedText(speed: number): string {
  let text: string;
  if (speed >= 1000) text = speed.toExponential(2).replace(/e\+?(\d)$/, "e+0$1");
  else text = String(Number(speed.toPrecision(3)));
  return text.padStart(4);
}

/** What the status line shows at one moment. */
export interface Status {
  frame: number;
  fps: number;
  q: number;
  /** Output bytes. */
  size: number;
  time: number;
  elapsed: number;
  final: boolean;
}

/** The status line: `frame= 1234 fps=187 q=28.0 size=   12288KiB time=… speed=7.78x elapsed=…`. */
export function statusLine(s: Status): string {
  const fps = s.fps < 9.95 ? s.fps.toFixed(1) : s.fps.toFixed(0);
  const kib = (s.size / 1024).toFixed(0).padStart(8);
  const bitrate = s.time > 0 ? ((s.size * 8) / s.time / 1000).toFixed(1).padStart(6) : undefined;
  const speed = s.elapsed > 0 && s.time > 0 ? `${speedText(s.time / s.elapsed)}x` : "N/A";
  return `frame=${String(s.frame).padStart(5)} fps=${fps.padStart(3)} q=${s.q.toFixed(1)} ${
    s.final ? "L" : ""
  }size=${kib}KiB time=${s.time > 0 ? timestamp(s.time) : "N/A"} bitrate=${
    bitrate ? `${bitrate}kbits/s` : "N/A"
  } speed=${speed} elapsed=${elapsedText(s.elapsed)}`;
}

function banner(ctx: Context): void {
  const b = data.build;
  const out = ctx.out;
  out.line(`ffmpeg version ${b.version} Copyright (c) ${b.copyright} the FFmpeg developers`);
  out.line(`  built with ${b.compiler}`);
  out.line(`  configuration: ${b.configuration}`);
  for (const [name, major, minor, micro] of b.libs as [string, number, number, number][]) {
    const v = `${String(major).padStart(2)}.${String(minor).padStart(3)}.${micro}`;
    out.line(`  ${name.padEnd(14)}${v} / ${v}`);
  }
}

function inputHeader(ctx: Context, j: Job): void {
  const { out } = ctx;
  const s = j.source;
  const v = s.video;
  const mov = s.container.startsWith("mov");
  const created = new Date(ctx.clock.wall().getTime() - ctx.rng.int(2, 40) * 86_400_000);
  const iso = created.toISOString().replace("Z", "000Z");
  out.line(`Input #0, ${s.container}, from '${j.file}':`);
  out.line("  Metadata:");
  if (mov) {
    out.line("    major_brand     : qt  ");
    out.line("    minor_version   : 512");
    out.line("    compatible_brands: qt  ");
    out.line(`    creation_time   : ${iso}`);
  } else {
    out.line(`    ENCODER         : ${s.encoderTag}`);
  }
  out.line(`  Duration: ${timestamp(j.duration)}, start: 0.000000, bitrate: ${j.inputKbps} kb/s`);
  const sar = j.width === 3840 || j.width === 1920 || j.width === 2560 ? " [SAR 1:1 DAR 16:9]" : "";
  const id = (n: number) => (mov ? `#0:${n}[0x${n + 1}]` : `#0:${n}`);
  const videoKbps = Math.round(j.inputKbps - s.audio.reduce((a, x) => a + x.kbps, 0));
  out.line(
    `  Stream ${id(0)}: Video: ${v.codec}, ${v.pix}, ${j.width}x${j.height}${sar}${
      mov ? `, ${videoKbps} kb/s` : ""
    }, ${v.fpsText} fps, ${v.fpsText} tbr, ${v.tbn} tbn (default)`,
  );
  out.line("      Metadata:");
  if (mov) {
    out.line(`        creation_time   : ${iso}`);
    out.line("        handler_name    : Core Media Video");
    out.line("        vendor_id       : appl");
    out.line("        encoder         : Apple ProRes 422 HQ");
  } else {
    out.line(`        DURATION        : ${longDuration(j.duration - ctx.rng.float(0.002, 0.04))}`);
  }
  s.audio.forEach((a, k) => {
    const lang = a.lang ? `(${a.lang})` : "";
    out.line(
      `  Stream ${
        id(k + 1)
      }${lang}: Audio: ${a.codec}, ${a.rate} Hz, ${a.layout}, ${a.fmt}, ${a.kbps} kb/s${
        k === 0 ? " (default)" : ""
      }`,
    );
  });
  if (s.subs) out.line(`  Stream #0:${s.audio.length + 1}(eng): Subtitle: subrip (srt)`);
}

function videoDecoder(j: Job): string {
  return j.source.video.codec.startsWith("prores") ? "prores" : "h264";
}

function mapping(ctx: Context, j: Job): void {
  const { out } = ctx;
  const encoder =
    { nvenc: "hevc (hevc_nvenc)", x264: "h264 (libx264)", x265: "hevc (libx265)" }[j.recipe];
  out.line("Stream mapping:");
  out.line(`  Stream #0:0 -> #0:0 (${videoDecoder(j)} (native) -> ${encoder})`);
  if (j.recipe === "nvenc") {
    j.source.audio.forEach((_, k) => out.line(`  Stream #0:${k + 1} -> #0:${k + 1} (copy)`));
    if (j.source.subs) {
      const n = j.source.audio.length + 1;
      out.line(`  Stream #0:${n} -> #0:${n} (copy)`);
    }
  } else {
    const a = j.source.audio[0]!;
    out.line(`  Stream #0:1 -> #0:1 (${a.codec.split(" ")[0]} (native) -> aac (native))`);
  }
  out.line("Press [q] to stop, [?] for help");
}

function encoderStartup(ctx: Context, j: Job): void {
  const { out } = ctx;
  if (j.recipe === "x265") {
    const info = (text: string) => out.line(`x265 [info]: ${text}`);
    info("HEVC encoder version 4.1+1-1d117be");
    info("build info [Linux][GCC 14.2.1][64 bit] 8bit+10bit+12bit");
    info("using cpu capabilities: MMX2 SSE2Fast LZCNT SSSE3 SSE4.2 AVX FMA3 BMI2 AVX2");
    info("Main 10 profile, Level-4 (Main tier)");
    info(`Thread pool created using ${j.cores} threads`);
    info("Slices                              : 1");
    info(`frame threads / pool features       : ${j.cores >= 16 ? 4 : 3} / wpp(17 rows)`);
    info("Coding QT: max CU size, min CU size : 64 / 8");
    info("Residual QT: max TU size, max depth : 32 / 1 inter / 1 intra");
    info("ME / range / subpel / merge         : hex / 57 / 2 / 3");
    info("Keyframe min / max / scenecut / bias  : 25 / 250 / 40 / 5.00");
    info("Lookahead / bframes / badapt        : 20 / 4 / 2");
    info("b-pyramid / weightp / weightb       : 1 / 1 / 0");
    info("References / ref-limit  cu / depth  : 3 / off / on");
    info("AQ: mode / str / qg-size / cu-tree  : 2 / 1.0 / 32 / 1");
    info(`Rate Control / qCompress            : CRF-${j.crf.toFixed(1)} / 0.60`);
    info("tools: rd=3 psy-rd=2.00 early-skip rskip mode=1 signhide tmvp");
    info("tools: b-intra strong-intra-smoothing lslices=6 deblock sao");
    return;
  }
  if (j.recipe === "x264") {
    const p = `[libx264 @ ${j.addr.enc}]`;
    const level = j.outHeight >= 1440
      ? (j.source.video.fps > 30 ? "5.1" : "5.0")
      : j.source.video.fps > 30
      ? "4.2"
      : "4.0";
    out.line(`${p} using SAR=1/1`);
    out.line(`${p} using cpu capabilities: MMX2 SSE2Fast SSSE3 SSE4.2 AVX FMA3 BMI2 AVX2`);
    out.line(`${p} profile High, level ${level}, 4:2:0, 8-bit`);
    out.line(
      `${p} 264 - core 164 r3191 4613ac3 - H.264/MPEG-4 AVC codec - Copyleft 2003-2024 - http://www.videolan.org/x264.html - options: ${
        x264Options(j)
      }`,
    );
  }
}

/** The options string x264 logs for the preset. */
function x264Options(j: Job): string {
  const p = {
    veryfast: {
      ref: 1,
      analyse: "0x3:0x113",
      me: "hex",
      subme: 2,
      mixed: 0,
      trellis: 0,
      lookahead: 10,
    },
    fast: {
      ref: 2,
      analyse: "0x3:0x113",
      me: "hex",
      subme: 6,
      mixed: 1,
      trellis: 1,
      lookahead: 30,
    },
    medium: {
      ref: 3,
      analyse: "0x3:0x113",
      me: "hex",
      subme: 7,
      mixed: 1,
      trellis: 1,
      lookahead: 40,
    },
  }[j.preset as "fast"]!;
  const threads = Math.round(j.cores * 1.5);
  return `cabac=1 ref=${p.ref} deblock=1:0:0 analyse=${p.analyse} me=${p.me} subme=${p.subme} psy=1 psy_rd=1.00:0.00 mixed_ref=${p.mixed} me_range=16 chroma_me=1 trellis=${p.trellis} 8x8dct=1 cqm=0 deadzone=21,11 fast_pskip=1 chroma_qp_offset=${
    p.trellis ? -2 : 0
  } threads=${threads} lookahead_threads=${
    Math.max(1, Math.floor(threads / 6))
  } sliced_threads=0 nr=0 decimate=1 interlaced=0 bluray_compat=0 constrained_intra=0 bframes=3 b_pyramid=2 b_adapt=1 b_bias=0 direct=1 weightb=1 open_gop=0 weightp=${
    p.ref > 1 ? 2 : 1
  } keyint=250 keyint_min=${
    Math.min(25, Math.round(j.source.video.fps))
  } scenecut=40 intra_refresh=0 rc_lookahead=${p.lookahead} rc=crf mbtree=1 crf=${
    j.crf.toFixed(1)
  } qcomp=0.60 qpmin=0 qpmax=69 qpstep=4 ip_ratio=1.40 aq=1:1.00`;
}

function outputHeader(ctx: Context, j: Job): void {
  const { out } = ctx;
  const mkv = j.recipe === "nvenc";
  const fps = j.source.video.fps;
  const tbn = mkv ? "1k" : fps === 60 ? "15360" : fps === 25 ? "12800" : "24k";
  const lavc = "Lavc61.19.101";
  out.line(`Output #0, ${mkv ? "matroska" : "mp4"}, to '${j.out}':`);
  out.line("  Metadata:");
  out.line(`    encoder         : Lavf61.7.100`);
  const video = {
    nvenc: "hevc (Main), yuv420p(tv, bt709, progressive)",
    x264: "h264 (avc1 / 0x31637661), yuv420p(tv, bt709, progressive)",
    x265: "hevc (hev1 / 0x31766568), yuv420p10le(tv, bt709, progressive)",
  }[j.recipe];
  out.line(
    `  Stream #0:0: Video: ${video}, ${j.outWidth}x${j.outHeight} [SAR 1:1 DAR 16:9], q=2-31${
      mkv ? ", 2000 kb/s" : ""
    }, ${j.source.video.fpsText} fps, ${tbn} tbn (default)`,
  );
  out.line("      Metadata:");
  out.line(
    `        encoder         : ${lavc} ${
      { nvenc: "hevc_nvenc", x264: "libx264", x265: "libx265" }[j.recipe]
    }`,
  );
  out.line("      Side data:");
  out.line(
    mkv
      ? "        cpb: bitrate max/min/avg: 0/0/2000000 buffer size: 4000000 vbv_delay: N/A"
      : "        cpb: bitrate max/min/avg: 0/0/0 buffer size: 0 vbv_delay: N/A",
  );
  if (mkv) {
    j.source.audio.forEach((a, k) => {
      out.line(
        `  Stream #0:${
          k + 1
        }(${a.lang}): Audio: ${a.codec}, ${a.rate} Hz, ${a.layout}, ${a.fmt}, ${a.kbps} kb/s${
          k === 0 ? " (default)" : ""
        }`,
      );
    });
    if (j.source.subs) {
      out.line(`  Stream #0:${j.source.audio.length + 1}(eng): Subtitle: subrip (srt)`);
    }
  } else {
    const a = j.source.audio[0]!;
    out.line(
      `  Stream #0:1${
        a.lang ? `(${a.lang})` : ""
      }: Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, ${j.audioKbps} kb/s${" (default)"}`,
    );
    out.line("      Metadata:");
    out.line(`        encoder         : ${lavc} aac`);
  }
}

/** Splits percentages that add up to 100 over `n` parts. */
function shares(rng: Rng, weights: readonly number[]): number[] {
  const raw = weights.map((w) => w * rng.float(0.7, 1.3));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => (r * 100) / sum);
}

function pct(n: number): string {
  return `${n.toFixed(1).padStart(4)}%`;
}

/** The encoder's closing statistics; frame-type sizes add up to the video bytes. */
function encoderStats(
  ctx: Context,
  j: Job,
  frames: number,
  videoBytes: number,
  seconds: number,
  elapsed: number,
): void {
  const { out, rng } = ctx;
  const fps = j.source.video.fps;
  const iCount = Math.max(1, Math.round(frames / 250 + frames / 2400 * rng.float(2, 8)));
  const pCount = Math.round((frames - iCount) * rng.float(0.28, 0.4));
  const bCount = frames - iCount - pCount;
  // Relative frame sizes I : P : B, scaled so the total is the video bytes.
  const unit = videoBytes / (iCount * 14 + pCount * 3 + bCount * 1);
  const sizes = [14 * unit, 3 * unit, unit];
  const qps = [rng.float(17, 21), rng.float(20.5, 24), rng.float(23.5, 27.5)];
  const counts = [iCount, pCount, bCount];
  if (j.recipe === "x264") {
    const p = `[libx264 @ ${j.addr.enc}]`;
    ["I", "P", "B"].forEach((t, k) => {
      out.line(
        `${p} frame ${t}:${String(counts[k]).padEnd(5)} Avg QP:${
          qps[k]!.toFixed(2).padStart(5)
        }  size:${String(Math.round(sizes[k]!)).padStart(6)}`,
      );
    });
    out.line(`${p} consecutive B-frames: ${shares(rng, [6, 8, 14, 72]).map(pct).join(" ")}`);
    out.line(`${p} mb I  I16..4: ${shares(rng, [22, 60, 18]).map(pct).join(" ")}`);
    const mbP = shares(rng, [2, 5, 0.6, 24, 6, 3, 0.01, 0.01, 59]);
    out.line(
      `${p} mb P  I16..4: ${mbP.slice(0, 3).map(pct).join(" ")}  P16..4: ${
        mbP.slice(3, 8).map(pct).join(" ")
      }    skip:${mbP[8]!.toFixed(1)}%`,
    );
    const mbB = shares(rng, [0.3, 0.6, 0.1, 21, 2, 0.4, 1.2, 74]);
    const lr = shares(rng, [44, 47, 9]);
    out.line(
      `${p} mb B  I16..4: ${mbB.slice(0, 3).map(pct).join(" ")}  B16..8: ${
        mbB.slice(3, 6).map(pct).join(" ")
      }  direct:${pct(mbB[6]!)}  skip:${mbB[7]!.toFixed(1)}%  L0:${lr[0]!.toFixed(1)}% L1:${
        lr[1]!.toFixed(1)
      }% BI:${pct(lr[2]!)}`,
    );
    out.line(
      `${p} 8x8 transform intra:${rng.float(55, 70).toFixed(1)}% inter:${
        rng.float(65, 80).toFixed(1)
      }%`,
    );
    out.line(
      `${p} coded y,uvDC,uvAC intra: ${rng.float(40, 55).toFixed(1)}% ${
        rng.float(45, 60).toFixed(1)
      }% ${rng.float(12, 24).toFixed(1)}% inter: ${rng.float(4, 9).toFixed(1)}% ${
        rng.float(5, 10).toFixed(1)
      }% ${rng.float(0.5, 2).toFixed(1)}%`,
    );
    const whole = (w: number[]) =>
      shares(rng, w).map((x) => `${Math.round(x)}%`.padStart(3)).join(" ");
    out.line(`${p} i16 v,h,dc,p: ${whole([31, 28, 12, 29])}`);
    out.line(`${p} i8 v,h,dc,ddl,ddr,vr,hd,vl,hu: ${whole([24, 19, 21, 5, 6, 6, 7, 6, 6])}`);
    out.line(`${p} i4 v,h,dc,ddl,ddr,vr,hd,vl,hu: ${whole([25, 20, 14, 6, 8, 7, 8, 6, 6])}`);
    out.line(`${p} i8c dc,h,v,p: ${whole([52, 21, 20, 7])}`);
    out.line(
      `${p} Weighted P-Frames: Y:${rng.float(1, 6).toFixed(1)}% UV:${
        rng.float(0.3, 3).toFixed(1)
      }%`,
    );
    const refs = j.preset === "veryfast" ? 1 : j.preset === "fast" ? 2 : 3;
    if (refs > 1) {
      out.line(`${p} ref P L0: ${shares(rng, [70, 18, 12].slice(0, refs)).map(pct).join(" ")}`);
      out.line(`${p} ref B L0: ${shares(rng, [88, 12].slice(0, refs)).map(pct).join(" ")}`);
      out.line(`${p} ref B L1: ${shares(rng, [95, 5]).map(pct).join(" ")}`);
    }
    out.line(`${p} kb/s:${((videoBytes * 8) / seconds / 1000).toFixed(2)}`);
  }
  if (j.recipe === "x265") {
    ["I", "P", "B"].forEach((t, k) => {
      const kbps = (sizes[k]! * 8 * fps) / 1000;
      out.line(
        `x265 [info]: frame ${t}: ${String(counts[k]).padStart(6)}, Avg QP:${
          qps[k]!.toFixed(2)
        }  kb/s: ${kbps.toFixed(2)}`,
      );
    });
    out.line(
      `x265 [info]: Weighted P-Frames: Y:${rng.float(1, 6).toFixed(1)}% UV:${
        rng.float(0.3, 3).toFixed(1)
      }%`,
    );
    out.line(
      `x265 [info]: consecutive B-frames: ${
        shares(rng, [5, 3, 10, 61, 21]).map((x) => `${x.toFixed(1)}%`).join(" ")
      }`,
    );
    out.line("");
    const avgQp = (qps[0]! * iCount + qps[1]! * pCount + qps[2]! * bCount) / frames;
    out.line(
      `encoded ${frames} frames in ${elapsed.toFixed(2)}s (${(frames / elapsed).toFixed(2)} fps), ${
        ((videoBytes * 8) / seconds / 1000).toFixed(2)
      } kb/s, Avg QP:${avgQp.toFixed(2)}`,
    );
  }
  if (j.recipe !== "nvenc") {
    out.line(`[aac @ ${j.addr.aac}] Qavg: ${rng.float(380, 1400).toFixed(3)}`);
  }
}

async function encode(ctx: Context, j: Job): Promise<void> {
  const { out, rng } = ctx;
  const fps = j.source.video.fps;
  const target = j.duration * j.quitAt;
  const subsKbps = j.source.subs ? 0.4 : 0;
  let time = 0;
  let elapsed = 0;
  let frames = 0;
  const q = () =>
    j.recipe === "nvenc"
      ? 24 + rng.int(-2, 3)
      : j.recipe === "x265"
      ? rng.float(26, 34)
      : rng.float(25, 31);
  // The first report comes before any packet is written.
  await ctx.sleep(rng.int(300, 900));
  elapsed += 0.5;
  out.live([statusLine({ frame: 0, fps: 0, q: 0, size: 0, time: 0, elapsed, final: false })]);
  // Encoding speed wanders around its mean; each report covers half a second.
  let rate = j.encodeFps;
  let videoBytes = 0;
  let wander = 1;
  const totalFrames = Math.max(1, Math.round(target * fps));
  while (frames < totalFrames) {
    rate = clamp(rate * rng.float(0.94, 1.06), j.encodeFps * 0.75, j.encodeFps * 1.25);
    const step = Math.min(0.5, (totalFrames - frames) / rate);
    await ctx.sleep(step * 1000);
    elapsed += step;
    const before = frames;
    frames = Math.min(totalFrames, frames + Math.max(1, Math.round(rate * step)));
    time = frames / fps;
    // Scenes differ: the video bitrate wanders around the recipe's mean.
    wander = clamp(wander * rng.float(0.85, 1.17), 0.6, 1.5);
    videoBytes += ((frames - before) / fps) * j.videoKbps * wander * 1000 / 8;
    out.live([
      statusLine({
        frame: frames,
        fps: frames / elapsed,
        q: q(),
        size: videoBytes + (time * (j.audioKbps + subsKbps) * 1000) / 8,
        time,
        elapsed,
        final: false,
      }),
    ]);
  }
  if (j.quitAt < 1) {
    out.live([]);
    out.line("[q] command received. Exiting.");
    out.line("");
  }
  await ctx.sleep(rng.int(80, 400));
  out.live([]);
  const audioBytes = (time * j.audioKbps * 1000) / 8;
  const subBytes = (time * subsKbps * 1000) / 8;
  const overhead = rng.float(0.05, 0.6);
  const payload = videoBytes + audioBytes + subBytes;
  const total = payload * (1 + overhead / 100);
  const kib = (b: number) => `${Math.round(b / 1024)}KiB`;
  out.line(
    `[out#0/${j.recipe === "nvenc" ? "matroska" : "mp4"} @ ${j.addr.out}] video:${
      kib(videoBytes)
    } audio:${kib(audioBytes)} subtitle:${kib(subBytes)} other streams:0KiB global headers:${
      j.recipe === "nvenc" ? 0 : 1
    }KiB muxing overhead: ${overhead.toFixed(6)}%`,
  );
  out.line(
    statusLine({
      frame: frames,
      fps: frames / elapsed,
      q: -1,
      size: total,
      time,
      elapsed,
      final: true,
    }),
  );
  encoderStats(ctx, j, frames, videoBytes, time, elapsed);
}

async function run(ctx: Context): Promise<void> {
  const { out, rng } = ctx;
  const j = planJob(rng);
  out.line(`${ctx.style.bold("$")} ${j.command}`);
  await ctx.sleep(rng.int(60, 200));
  if (!j.hideBanner) banner(ctx);
  await ctx.sleep(rng.int(40, 300));
  inputHeader(ctx, j);
  mapping(ctx, j);
  // Encoders open (x265 takes a moment to build its thread pool).
  await ctx.sleep(j.recipe === "nvenc" ? rng.int(300, 900) : rng.int(150, 600));
  encoderStartup(ctx, j);
  outputHeader(ctx, j);
  await encode(ctx, j);
}

/** `ffmpeg -i … out.mp4`: one transcode with its live status line. */
export const ffmpeg: Module = {
  name: "ffmpeg",
  signature: "ffmpeg -i input.mkv -c:v libx265 -crf 22 output.mp4",
  about: "Transcode a video with ffmpeg: banner, streams, mapping, the live frame=/speed= line",
  maxDurationMs: 240_000,
  run,
};
