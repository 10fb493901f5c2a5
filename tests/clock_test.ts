import assert from "node:assert/strict";
import { Clock, StopSignal } from "../core/clock.ts";

function virtual(extra: Partial<ConstructorParameters<typeof Clock>[0]> = {}) {
  let frames = 0;
  const clock = new Clock({
    speed: 1,
    virtual: true,
    epochMs: Date.UTC(2026, 0, 2, 3, 4, 5),
    beforeWait: () => frames++,
    ...extra,
  });
  return { clock, frames: () => frames };
}

Deno.test("Clock.now advances by exactly the pretend time slept", async () => {
  const { clock } = virtual({ speed: 7 });
  await clock.sleep(1500);
  await clock.sleep(0.25);
  await clock.sleep(-3);
  await clock.sleep(Number.NaN);
  assert.equal(clock.now(), 1500.25);
});

Deno.test("Clock coalesces short waits: many tiny sleeps cost few frames", async () => {
  const { clock, frames } = virtual({ minWaitMs: 8 });
  for (let i = 0; i < 1000; i++) await clock.sleep(1);
  assert.ok(frames() <= 1000 / 8 + 1, `${frames()} frames for 1000 one-millisecond sleeps`);
  assert.ok(frames() >= 100, `${frames()} frames`);
});

Deno.test("Clock divides waits by the speed factor", async () => {
  const { clock } = virtual({ speed: 4 });
  await clock.sleep(4000);
  assert.equal(clock.elapsedReal(), 1000);
  assert.equal(clock.now(), 4000);
});

Deno.test("Clock in instant mode takes no real time but still advances pretend time", async () => {
  let instant = true;
  const { clock, frames } = virtual({ instant: () => instant });
  await clock.sleep(10_000);
  assert.equal(frames(), 0);
  assert.equal(clock.elapsedReal(), 0);
  assert.equal(clock.now(), 10_000);
  instant = false;
  await clock.sleep(500);
  assert.equal(clock.elapsedReal(), 500);
  assert.equal(frames(), 1);
});

Deno.test("Clock.wall is the epoch plus offset plus pretend time, read through UTC fields", async () => {
  const { clock } = virtual({ utcOffsetMinutes: 90 });
  await clock.sleep(60_000);
  const wall = clock.wall();
  assert.equal(wall.getUTCHours(), 4);
  assert.equal(wall.getUTCMinutes(), 35);
  assert.equal(wall.getUTCSeconds(), 5);
});

Deno.test("Clock.stop rejects the pending real sleep promptly with a StopSignal", async () => {
  const clock = new Clock({ speed: 1, epochMs: 0 });
  const pending = clock.sleep(60 * 60_000);
  clock.stop("SIGINT");
  const error = await pending.then(() => undefined, (e) => e);
  assert.ok(error instanceof StopSignal);
  assert.equal(error.reason, "SIGINT");
  await assert.rejects(clock.sleep(1), StopSignal);
});

Deno.test("Clock.stop keeps the first cause", () => {
  const clock = new Clock({ speed: 1, epochMs: 0 });
  clock.stop("time");
  clock.stop("SIGTERM");
  assert.equal(clock.stopped, "time");
});

Deno.test("A virtual clock with a time limit stops once the limit is reached", async () => {
  const { clock } = virtual({ stopAfterMs: 2500 });
  await clock.sleep(1000);
  await clock.sleep(1000);
  await assert.rejects(clock.sleep(1000), StopSignal);
  assert.equal(clock.stopped, "time");
  assert.equal(clock.elapsedReal(), 2500);
});

Deno.test("Clock waits until a deadline, so time spent between sleeps is not added", async () => {
  let real = 0;
  const waits: number[] = [];
  const clock = new Clock({
    speed: 1,
    epochMs: 0,
    minWaitMs: 8,
    realNow: () => real,
    timers: {
      now: () => real,
      after(ms, fn) {
        // A yield to the event loop (0 ms) goes on; a wait is recorded and left pending.
        if (ms <= 0) queueMicrotask(fn);
        else waits.push(ms);
        return () => {};
      },
    },
  });
  // 30 ms of work happened before the 20 ms sleep: the deadline has passed, no wait is issued.
  real = 30;
  await clock.sleep(20);
  assert.deepEqual(waits, []);
  // The next sleep only waits for what is left until its deadline (20 + 50 = 70).
  const pending = clock.sleep(50);
  assert.deepEqual(waits, [40]);
  clock.stop("time");
  await assert.rejects(pending, StopSignal);
});

Deno.test("The first frame is drawn at the first sleep, even one that needs no wait", async () => {
  let real = 0;
  const flushes: number[] = [];
  const clock = new Clock({
    speed: 1,
    epochMs: 0,
    minWaitMs: 1000,
    realNow: () => real,
    beforeWait: () => flushes.push(real),
  });
  await clock.sleep(20);
  assert.deepEqual(flushes, [0], "the first sleep did not draw");
  real = 5;
  await clock.sleep(20);
  assert.deepEqual(flushes, [0], "a later short sleep drew before its frame was due");
});

Deno.test("A session's frame interval caps how often it draws: 100 ms gives ten frames a second", async () => {
  const { Session } = await import("../core/session.ts");
  let writes = 0;
  const session = new Session({
    sink: () => writes++,
    tty: true,
    color: false,
    virtual: true,
    seed: 1n,
    epochMs: 0,
    frameMs: 100,
  });
  const ctx = session.context();
  for (let i = 0; i < 1000; i++) {
    ctx.out.live([`frame ${i}`]);
    await ctx.sleep(10);
  }
  assert.ok(writes <= 101 && writes >= 95, `${writes} writes for 10 s of 10 ms sleeps`);
  assert.equal(session.clock.now(), 10_000);
});
