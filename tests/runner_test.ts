import assert from "node:assert/strict";
import { endSession, pickNext, runRotation, SAVING_MESSAGE } from "../core/runner.ts";
import { Session } from "../core/session.ts";
import type { Context, Module } from "../core/types.ts";
import { replay, TEST_EPOCH_MS, testFacts } from "./harness.ts";

function fake(name: string, ms = 1000, live = false): Module {
  return {
    name,
    signature: `${name} --run`,
    about: `Fake ${name}`,
    async run(ctx: Context) {
      ctx.out.line(`${name} start`);
      if (live) ctx.out.live(["[=====>    ] 50%"]);
      await ctx.sleep(ms);
      ctx.out.write(`${name} end`);
    },
  };
}

function session(chunks: string[], tty = false, exitAfterMs?: number) {
  return new Session({
    sink: (c) => chunks.push(c),
    tty,
    color: false,
    virtual: true,
    seed: 1n,
    epochMs: TEST_EPOCH_MS,
    ...(exitAfterMs !== undefined ? { exitAfterMs } : {}),
  });
}

Deno.test("pickNext never picks the previous module when there is another", () => {
  const mods = [fake("a"), fake("b"), fake("c")];
  let previous: Module | undefined;
  let x = 0;
  for (let i = 0; i < 300; i++) {
    const next = pickNext(mods, previous, () => (x = (x + 0.377) % 1));
    assert.notEqual(next.name, previous?.name);
    previous = next;
  }
  const single = [fake("only")];
  assert.equal(pickNext(single, single[0], () => 0.5).name, "only");
});

Deno.test("runRotation stops after exactly N modules and never runs one twice in a row", async () => {
  const chunks: string[] = [];
  const s = session(chunks);
  const order: string[] = [];
  const cause = await runRotation(s, {
    modules: [fake("a"), fake("b"), fake("c")],
    exitAfterModules: 7,
    onModuleFinished: (m) => order.push(m.name),
  });
  assert.equal(cause, "modules");
  assert.equal(order.length, 7);
  for (let i = 1; i < order.length; i++) assert.notEqual(order[i], order[i - 1]);
  s.screen.flush();
  const text = chunks.join("");
  assert.equal(text.match(/ start\n/g)?.length, 7);
  assert.equal(text.match(/ end\n/g)?.length, 7, "each module's unterminated last line is ended");
});

Deno.test("runRotation ends with the time cause when the clock's limit passes mid-module", async () => {
  const chunks: string[] = [];
  const s = session(chunks, false, 2500);
  const cause = await runRotation(s, { modules: [fake("a", 1000), fake("b", 1000)] });
  assert.equal(cause, "time");
  endSession(s, cause);
  const text = chunks.join("");
  assert.ok(text.endsWith(`${SAVING_MESSAGE}\n`));
});

Deno.test("endSession clears the live region and leaves the cursor visible in a terminal", async () => {
  const chunks: string[] = [];
  const s = session(chunks, true, 500);
  const cause = await runRotation(s, { modules: [fake("a", 1000, true)] });
  endSession(s, cause);
  const view = await replay(chunks.join(""), 80);
  assert.ok(view.cursorVisible);
  assert.ok(!view.lines.some((l) => l.includes("50%")), "live region left on screen");
  assert.ok(view.lines.includes(SAVING_MESSAGE));
});

Deno.test("endSession keeps the last frame of a module whose tool keeps it (liveOnStop: keep)", async () => {
  for (const tty of [true, false]) {
    const chunks: string[] = [];
    const s = session(chunks, tty, 500);
    const cause = await runRotation(s, {
      modules: [{ ...fake("a", 1000, true), liveOnStop: "keep" }],
    });
    assert.equal(cause, "time");
    endSession(s, cause);
    const view = await replay(chunks.join(""), 80);
    assert.ok(view.cursorVisible);
    const lines = view.lines.filter((l) => l !== "");
    assert.deepEqual(lines, ["a start", "[=====>    ] 50%", SAVING_MESSAGE], `tty ${tty}`);
  }
});

Deno.test("runRotation propagates a module's own error", async () => {
  const chunks: string[] = [];
  const broken: Module = {
    name: "broken",
    signature: "x",
    about: "x",
    run: () => Promise.reject(new TypeError("boom")),
  };
  await assert.rejects(runRotation(session(chunks), { modules: [broken] }), TypeError);
});

Deno.test("Duplicated modules are picked more often", async () => {
  const a = fake("a", 10), b = fake("b", 10), c = fake("c", 10);
  const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
  const s = session([]);
  await runRotation(s, {
    modules: [a, a, a, a, b, c],
    exitAfterModules: 3000,
    onModuleFinished: (m) => counts[m.name]!++,
  });
  assert.ok(counts.a! > counts.b! * 1.5, JSON.stringify(counts));
});

Deno.test("Session.resize changes the width modules see and the width live lines are cut to", async () => {
  const chunks: string[] = [];
  const s = new Session({
    sink: (c) => chunks.push(c),
    tty: true,
    color: false,
    cols: 60,
    rows: 20,
    virtual: true,
    seed: 1n,
    epochMs: TEST_EPOCH_MS,
  });
  const ctx = s.context();
  assert.equal(ctx.term.cols, 60);
  s.resize(25, 10);
  assert.equal(ctx.term.cols, 25);
  assert.equal(ctx.term.rows, 10);
  ctx.out.live(["x".repeat(100)]);
  s.screen.flush();
  const view = await replay(chunks.join(""), 60, 20);
  assert.equal(view.lines[0], "x".repeat(25));
  s.resize(Number.NaN, 0);
  assert.equal(ctx.term.cols, 25, "nonsense sizes are ignored");
});

Deno.test("the registry loads every module under its own name, sorted, and refuses unknown names", async () => {
  const { loadModule, loadModules, MODULE_NAMES } = await import("../modules/registry.ts");
  assert.deepEqual([...MODULE_NAMES], [...MODULE_NAMES].sort());
  const modules = await loadModules();
  assert.deepEqual(modules.map((m) => m.name), [...MODULE_NAMES]);
  await assert.rejects(loadModule("nope"), RangeError);
  await assert.rejects(loadModule("toString"), RangeError);
});

Deno.test("a lazy module loads its module on first run and runs it", async () => {
  const { lazyModule } = await import("../modules/registry.ts");
  const chunks: string[] = [];
  const s = session(chunks, false, 30_000);
  const cause = await runRotation(s, { modules: [lazyModule("memdump")], exitAfterModules: 1 });
  s.screen.flush();
  assert.equal(cause, "modules");
  assert.match(chunks.join(""), /^[0-9a-f]{8} {2}([0-9a-f]{2} ){8} ([0-9a-f]{2} ){8} \|/m);
});

Deno.test("a lazy module stopped mid-run ends the screen as the loaded module says (docker_build keeps its frame)", async () => {
  const { lazyModule } = await import("../modules/registry.ts");
  const lazy = lazyModule("docker_build");
  assert.equal(lazy.liveOnStop, undefined, "nothing known before it loads");
  const chunks: string[] = [];
  const s = session(chunks, true, 4000);
  const cause = await runRotation(s, { modules: [lazy] });
  assert.equal(cause, "time");
  assert.equal(lazy.liveOnStop, "keep");
  endSession(s, cause);
  const view = await replay(chunks.join(""), 80);
  assert.ok(view.lines.some((l) => l.startsWith("[+] Building")), "BuildKit's frame was cleared");
  assert.ok(view.cursorVisible);
});

Deno.test("play turns a module's unexpected error into one reported line and exit code 1", async () => {
  const { play } = await import("../app/play.ts");
  const { planRun } = await import("../app/plan.ts");
  const { VirtualHost } = await import("../app/virtual_host.ts");
  const { defaultOptions } = await import("../cli/options.ts");
  const broken: Module = {
    name: "broken",
    signature: "x",
    about: "x",
    async run(ctx) {
      ctx.out.live(["[====      ]"]);
      await ctx.sleep(100);
      throw new TypeError("boom");
    },
  };
  const facts = testFacts();
  const playOn = async (modules: Module[], exitAfterTime?: number) => {
    const plan = planRun({ ...defaultOptions(), exitAfterTime }, facts);
    if (plan instanceof Error) throw plan;
    const host = new VirtualHost();
    return { host, code: (await play(plan, host, modules).done).code };
  };
  const { host, code } = await playOn([broken]);
  assert.equal(code, 1);
  assert.deepEqual(host.reports, ["error: internal error: boom\n"]);
  assert.ok((await replay(host.output, 80)).cursorVisible, "terminal restored");
  assert.equal((await playOn([fake("a", 5000)], 1000)).code, 0);
});
