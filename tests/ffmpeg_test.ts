/**
 * ffmpeg format tests: every status line holds together (bitrate is size over
 * time, speed is time over elapsed, fps is frames over elapsed, time is frames
 * over the input frame rate), elapsed advances with the pretend clock, the
 * final sizes add up to the muxer's summary, the encode covers the input's
 * duration unless the user pressed q, and the encoder's statistics agree.
 */

import assert from "node:assert/strict";
import { elapsedText, ffmpeg, speedText, statusLine, timestamp } from "../modules/ffmpeg.ts";
import { stripAnsi } from "../core/ansi.ts";
import { captureModule } from "./harness.ts";

const SEEDS = Array.from({ length: 50 }, (_, i) => i + 1);
const STATUS =
  /^frame= *(\d+) fps= *([\d.]+) q=(-?[\d.]+) (L?)size= *(\d+)KiB time=(\d\d):(\d\d):(\d\d\.\d\d) bitrate= *([\d.]+)kbits\/s speed= *([\d.e+]+)x elapsed=(\d+):(\d\d):(\d\d\.\d\d)$/;

function parse(line: string) {
  const m = line.match(STATUS);
  if (!m) return undefined;
  return {
    frame: Number(m[1]),
    fps: Number(m[2]),
    final: m[4] === "L",
    kib: Number(m[5]),
    time: Number(m[6]) * 3600 + Number(m[7]) * 60 + Number(m[8]),
    bitrate: Number(m[9]),
    speed: Number(m[10]),
    elapsed: Number(m[11]) * 3600 + Number(m[12]) * 60 + Number(m[13]),
  };
}

Deno.test("ffmpeg: field formats match ffmpeg's printf formats", () => {
  assert.equal(timestamp(3733.37), "01:02:13.37");
  assert.equal(elapsedText(6.6), "0:00:06.60");
  assert.equal(speedText(7.781), "7.78");
  assert.equal(speedText(21.04), "  21");
  assert.equal(speedText(0.5123), "0.512");
  assert.equal(
    statusLine({ frame: 0, fps: 0, q: 0, size: 0, time: 0, elapsed: 0.5, final: false }),
    "frame=    0 fps=0.0 q=0.0 size=       0KiB time=N/A bitrate=N/A speed=N/A elapsed=0:00:00.50",
  );
});

Deno.test("ffmpeg: status lines and summaries hold together over many seeds", async () => {
  let quits = 0;
  const recipes = new Set<string>();
  for (const seed of SEEDS) {
    const run = await captureModule(ffmpeg, { seed, cols: 200, tty: true });
    const text = stripAnsi(run.output);
    const command = text.split("\n")[0]!;
    recipes.add(command.match(/-c:v (\S+)/)![1]!);
    assert.equal(
      text.includes("ffmpeg version "),
      !command.includes("-hide_banner"),
      `seed ${seed}: banner`,
    );
    const dur = text.match(/^ {2}Duration: (\d\d):(\d\d):(\d\d\.\d\d),/m);
    assert.ok(dur, `seed ${seed}: no Duration`);
    const duration = Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]);
    const inputFps = Number(text.match(/Video: .*?, ([\d.]+) fps, /)![1]);
    const fpsIn = inputFps === 23.98 ? 24000 / 1001 : inputFps;

    // Live status lines: each consistent with itself, elapsed with the clock.
    let last: ReturnType<typeof parse>;
    let lastAt = 0;
    for (const f of run.live) {
      const s = f.lines[0] ? parse(f.lines[0]) : undefined;
      if (!s) continue;
      assert.ok(
        Math.abs(s.time - s.frame / fpsIn) < 0.011,
        `seed ${seed}: time vs frames ${f.lines[0]}`,
      );
      // time= is truncated to centiseconds and size= rounded to KiB.
      const tolerance = s.bitrate * (0.01 / s.time + 0.6 / Math.max(1, s.kib) + 0.001) + 0.05;
      assert.ok(
        Math.abs(s.bitrate - (s.kib * 8.192) / s.time) <= tolerance,
        `seed ${seed}: bitrate ${f.lines[0]}`,
      );
      const speed = s.time / s.elapsed;
      assert.ok(Math.abs(s.speed - speed) / speed < 0.01, `seed ${seed}: speed ${f.lines[0]}`);
      assert.ok(Math.abs(s.fps - s.frame / s.elapsed) <= 0.6, `seed ${seed}: fps ${f.lines[0]}`);
      if (last) {
        assert.ok(
          s.frame >= last.frame && s.kib >= last.kib && s.time >= last.time,
          `seed ${seed}: went back`,
        );
        const clock = (f.at - lastAt) / 1000;
        assert.ok(
          Math.abs(s.elapsed - last.elapsed - clock) < 0.02,
          `seed ${seed}: elapsed ${s.elapsed - last.elapsed} vs ${clock}`,
        );
      }
      last = s;
      lastAt = f.at;
    }

    const final = parse(text.split("\n").find((l) => l.includes(" Lsize="))!);
    assert.ok(final?.final, `seed ${seed}: no final line`);
    const quit = text.includes("[q] command received. Exiting.");
    if (quit) {
      quits++;
      assert.ok(final.time < duration - 1, `seed ${seed}: quit but encoded everything`);
    } else {
      assert.ok(
        Math.abs(final.time - duration) < 0.05,
        `seed ${seed}: encoded ${final.time} of ${duration}`,
      );
    }

    // The muxer's summary adds up to Lsize.
    const mux = text.match(
      /\] video:(\d+)KiB audio:(\d+)KiB subtitle:(\d+)KiB other streams:0KiB global headers:(\d)KiB muxing overhead: ([\d.]+)%$/m,
    );
    assert.ok(mux, `seed ${seed}: no muxer summary`);
    const [video, audio, subs, headers] = mux.slice(1, 5).map(Number) as number[];
    const payload = video! + audio! + subs! + headers!;
    const expected = payload * (1 + Number(mux[5]) / 100);
    assert.ok(
      Math.abs(final.kib - expected) <= 4,
      `seed ${seed}: Lsize ${final.kib} vs ${expected}`,
    );

    // Encoder statistics agree with the stream.
    const x264 = text.match(/\[libx264 @ \S+\] kb\/s:([\d.]+)$/m);
    if (x264) {
      const kbps = (video! * 8.192) / final.time;
      assert.ok(Math.abs(Number(x264[1]) - kbps) / kbps < 0.002, `seed ${seed}: x264 kb/s`);
      const counts = [...text.matchAll(/\] frame [IPB]:(\d+) +Avg QP/g)].map((m) => Number(m[1]));
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        final.frame,
        `seed ${seed}: x264 frame types`,
      );
    }
    const x265 = text.match(/^encoded (\d+) frames in ([\d.]+)s \(([\d.]+) fps\), ([\d.]+) kb\/s/m);
    if (x265) {
      assert.equal(Number(x265[1]), final.frame, `seed ${seed}: x265 frames`);
      assert.ok(Math.abs(Number(x265[2]) - final.elapsed) < 0.02, `seed ${seed}: x265 time`);
      const kbps = (video! * 8.192) / final.time;
      assert.ok(Math.abs(Number(x265[4]) - kbps) / kbps < 0.002, `seed ${seed}: x265 kb/s`);
    }

    // Mapping and output streams match.
    const mapped = text.match(/^ {2}Stream #0:\d+ -> #0:\d+ /gm)!.length;
    const outStreams = text.slice(text.indexOf("Output #0")).match(/^ {2}Stream #0:\d+/gm)!.length;
    assert.equal(mapped, outStreams, `seed ${seed}: mapping vs output streams`);
  }
  assert.ok(quits > 0 && quits < SEEDS.length / 3, `${quits} runs quit early`);
  assert.deepEqual([...recipes].sort(), ["hevc_nvenc", "libx264", "libx265"]);
});

Deno.test("ffmpeg snapshot, seed 1 at 80 columns", async (t) => {
  await t.assertSnapshot((await captureModule(ffmpeg, { seed: 1, cols: 80 })).output);
});
