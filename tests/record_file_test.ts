/**
 * `--record` meets the file system (issue 11, F9): a directory, a dangling
 * symbolic link and a full disk each get their own clear message, and a cast
 * cut short by a failed write still ends on a complete line.
 */

import assert from "node:assert/strict";
import { castHeader, CastRecorder, describeError, parseCast } from "../core/record.ts";
import { lineSafeSink, type WritableFile } from "../app/record_file.ts";
import { PROGRAM, ROOT } from "./program.ts";

/** A file on a disk with `room` bytes free: the write that crosses it is partial, then ENOSPC. */
class TinyDisk implements WritableFile {
  bytes: number[] = [];
  constructor(readonly room: number) {}
  writeSync(chunk: Uint8Array): number {
    const free = this.room - this.bytes.length;
    if (free <= 0) {
      throw Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
    }
    const n = Math.min(free, chunk.length, 700); // short writes, as a real disk may give
    this.bytes.push(...chunk.subarray(0, n));
    return n;
  }
  truncateSync(length: number): void {
    this.bytes.length = length;
  }
  close(): void {}
  get text(): string {
    return new TextDecoder().decode(new Uint8Array(this.bytes));
  }
}

Deno.test("a cast cut short by a full disk ends on a complete line and says the disk is full", () => {
  for (const room of [100, 5_000, 70_000, 200_000]) {
    for (const immediate of [true, false]) {
      const disk = new TinyDisk(room);
      const recorder = new CastRecorder(lineSafeSink(disk), castHeader(80, 24, 0, "xterm"), {
        immediate,
      });
      for (let i = 0; i < 3_000; i++) recorder.output(i * 10, `line ${i} ${"é".repeat(i % 50)}\n`);
      recorder.close();
      assert.equal(recorder.failure, "no space left on the device (the disk is full)");
      const text = disk.text;
      assert.ok(text === "" || text.endsWith("\n"), `room ${room}: ends mid-line`);
      if (text !== "") {
        const cast = parseCast(text);
        assert.equal(cast.header.width, 80);
        assert.ok(cast.events.every((e, i) => e[2] === `line ${i} ${"é".repeat(i % 50)}\r\n`));
      }
    }
  }
});

Deno.test("describeError() words the errors a recording meets", () => {
  const coded = (code: string) => Object.assign(new Error(`raw ${code}`), { code });
  assert.equal(describeError(coded("ENOSPC")), "no space left on the device (the disk is full)");
  assert.equal(
    describeError(coded("EISDIR")),
    "it is a directory; give the name of a file to write",
  );
  assert.equal(describeError(coded("EROFS")), "the file system is read-only");
  assert.equal(describeError(coded("EWHATEVER")), "raw EWHATEVER");
  assert.equal(describeError("plain"), "plain");
});

async function record(
  path: string,
  extra: string[] = [],
): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "-A",
      PROGRAM,
      "--record",
      path,
      "--fast-forward",
      "--exit-after-time",
      "5s",
      "--seed",
      "1",
      ...extra,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("--record on a directory, a dangling link and /dev/full: one clear message each", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "denact_record_" });
  try {
    const folder = `${dir}/adir`;
    Deno.mkdirSync(folder);
    const link = `${dir}/dangling.cast`;
    // `ln`, as Deno.symlinkSync needs unscoped write permission, which the tests do not have.
    const ln = new Deno.Command("ln", { args: ["-s", `${dir}/missing.cast`, link] });
    assert.ok((await ln.output()).success);
    const [plainDir, forcedDir, dangling, full] = await Promise.all([
      record(folder),
      record(folder, ["--force"]),
      record(link),
      record("/dev/full", ["--force"]),
    ]);
    for (const r of [plainDir, forcedDir]) {
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /^error: cannot record to '.*adir': it is a directory; give the name of a file to write\n$/,
      );
    }
    assert.equal(dangling.code, 1);
    assert.match(
      dangling.stderr,
      /^error: cannot record to '.*dangling\.cast': it is a symbolic link to '.*missing\.cast', which does not exist \(add --force to create it\)\n$/,
    );
    assert.equal(full.code, 1);
    assert.match(
      full.stderr,
      /^error: recording to '\/dev\/full' failed: no space left on the device \(the disk is full\); the recording is incomplete\n$/,
    );
    // With --force, the dangling link's file is created and recorded into.
    const forced = await record(link, ["--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(parseCast(Deno.readTextFileSync(`${dir}/missing.cast`)).header.version, 2);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
