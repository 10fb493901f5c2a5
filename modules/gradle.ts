/**
 * gradle: `./gradlew build` of a JVM project, as Gradle 8.14 / 9.x prints it,
 * in its rich console on a terminal and its plain console in a pipe.
 *
 * One project per run: a Spring Boot service in Kotlin (one project) or a
 * Java application in the layout `gradle init` generates (`app`, `list`,
 * `utilities` and the `build-logic` included build). The task graph is the
 * one `build` really runs for those plugins, in dependency order, each task
 * with an outcome (executed, `UP-TO-DATE`, `FROM-CACHE`, `NO-SOURCE`,
 * `SKIPPED`) drawn from the state of the daemon and the build cache; the
 * closing `N actionable tasks: a executed, b up-to-date` counts exactly the
 * tasks with actions above it. A cold daemon announces itself and is slow.
 * Compiler warnings (`w: file:///…kt:42:13 …`, javac's `Note:` lines), the
 * deprecation notice and, in some runs, a failing JUnit test (`Foo > bar()
 * FAILED`, `3 tests completed, 1 failed`, `BUILD FAILED`) appear as Gradle
 * prints them.
 *
 * Plain console: one `> Task :app:compileJava` line per task, outcomes as
 * suffixes. Rich console: only tasks with output get a header; the rest is
 * the progress area (`<=====--------> 42% EXECUTING [12s]` over one line per
 * worker), redrawn in place and cleared at the end.
 *
 * In some runs the project is a Spring Boot service built with Maven 3.9
 * (`mvn package`): the reactor header, `Downloading from central:` lines on a
 * cold `~/.m2` (real coordinates), each plugin execution with the versions the
 * Boot 3.5.6 parent manages, Surefire's `T E S T S` block whose per-class
 * counts add up to its `Results:`, the repackaged jar and the `BUILD SUCCESS`
 * (or `BUILD FAILURE` with its `[ERROR]` advice) footer.
 *
 * @module
 */

import maven from "../data/maven.json" with { type: "json" };
import { pad } from "../core/format.ts";
import type { Rng } from "../core/rng.ts";
import type { Style } from "../core/style.ts";
import type { Context, Module } from "../core/types.ts";

/** How a task ended. */
export type Outcome = "executed" | "UP-TO-DATE" | "FROM-CACHE" | "NO-SOURCE" | "SKIPPED";

/** One task of the graph. */
export interface Task {
  path: string;
  /** Lifecycle tasks (`classes`, `assemble`, `build`…) have no actions. */
  actionable: boolean;
  outcome: Outcome;
  ms: number;
  /** Lines the task prints (compiler warnings). */
  output: string[];
  /** For test tasks: tests run, and the failing one, if any. */
  tests?: { count: number; failed?: { cls: string; name: string; line: number } };
  /** Whether its outcome may be cached (compile, jar and test tasks). */
  cacheable: boolean;
}

/** One build, drawn up front. */
export interface GradlePlan {
  version: string;
  project: string;
  root: string;
  kotlin: boolean;
  coldDaemon: boolean;
  workers: number;
  configureMs: number;
  tasks: Task[];
  deprecations: boolean;
}

const SERVICES = ["billing", "inventory", "notifications", "ledger", "catalog"];
const APPS = ["weather-cli", "invoicer", "rostering", "geofence"];

/** Draws one build. */
export function planBuild(rng: Rng): GradlePlan {
  const kotlin = rng.chance(0.5);
  const project = rng.pick(kotlin ? SERVICES : APPS);
  const root = rng.chance(0.4)
    ? `/home/runner/work/${project}/${project}`
    : `/home/${rng.pick(["alex", "sam", "dev", "priya", "mk"])}/src/${project}`;
  const state = rng.weighted(["clean", "incremental", "cached"], [5, 3, 2]);
  const tasks: Task[] = [];
  const t = (
    path: string,
    actionable = true,
    opts: Partial<Task> & { cacheable?: boolean; noSource?: boolean; skipped?: boolean } = {},
  ) => {
    const { noSource, skipped, ...rest } = opts;
    tasks.push({
      path,
      actionable,
      outcome: noSource ? "NO-SOURCE" : skipped ? "SKIPPED" : "executed",
      ms: 0,
      output: [],
      cacheable: false,
      ...rest,
    });
  };
  const pkg = `com.${rng.pick(["acme", "northwind", "kestrel"])}.${project.replace(/-/g, "")}`;
  if (kotlin) {
    t(":checkKotlinGradlePluginConfigurationErrors", true, { skipped: true });
    t(":processResources", true, { ms: rng.int(40, 300) });
    t(":compileKotlin", true, { cacheable: true, ms: rng.int(6_000, 25_000) });
    t(":compileJava", true, { noSource: true });
    t(":classes", false);
    t(":resolveMainClassName", true, { cacheable: true, ms: rng.int(100, 600) });
    t(":bootJar", true, { ms: rng.int(400, 2_500) });
    t(":jar", true, { cacheable: true, ms: rng.int(60, 400) });
    t(":assemble", false);
    t(":processTestResources", true, rng.chance(0.5) ? { noSource: true } : { ms: 80 });
    t(":compileTestKotlin", true, { cacheable: true, ms: rng.int(4_000, 16_000) });
    t(":compileTestJava", true, { noSource: true });
    t(":testClasses", false);
    t(":test", true, {
      cacheable: true,
      ms: rng.int(8_000, 45_000),
      tests: { count: rng.int(40, 380) },
    });
    t(":check", false);
    t(":build", false);
  } else {
    for (
      const name of [
        "checkKotlinGradlePluginConfigurationErrors",
        "generateExternalPluginSpecBuilders",
        "extractPrecompiledScriptPluginPlugins",
        "compilePluginsBlocks",
        "generatePrecompiledScriptPluginAccessors",
        "generateScriptPluginAdapters",
        "compileKotlin",
        "compileJava",
        "pluginDescriptors",
        "processResources",
        "classes",
        "jar",
      ]
    ) {
      t(`:build-logic:${name}`, name !== "classes", {
        cacheable: /compile|generate|extract|jar/.test(name),
        ms: name === "compileKotlin" ? rng.int(3_000, 9_000) : rng.int(50, 1_500),
        ...(name === "compileJava" ? { noSource: true } : {}),
        ...(name === "checkKotlinGradlePluginConfigurationErrors" ? { skipped: true } : {}),
      });
    }
    for (const sub of ["utilities", "list", "app"]) {
      t(`:${sub}:compileJava`, true, { cacheable: true, ms: rng.int(800, 5_000) });
      t(`:${sub}:processResources`, true, { noSource: true });
      t(`:${sub}:classes`, false);
      t(`:${sub}:jar`, true, { cacheable: true, ms: rng.int(60, 300) });
    }
    t(":app:startScripts", true, { ms: rng.int(60, 300) });
    t(":app:distTar", true, { ms: rng.int(100, 500) });
    t(":app:distZip", true, { ms: rng.int(100, 500) });
    t(":app:assemble", false);
    for (const sub of ["app", "list", "utilities"]) {
      if (sub !== "app") t(`:${sub}:assemble`, false);
      const tested = sub !== "utilities";
      t(
        `:${sub}:compileTestJava`,
        true,
        tested ? { cacheable: true, ms: rng.int(600, 3_000) } : { noSource: true },
      );
      t(`:${sub}:processTestResources`, true, { noSource: true });
      t(`:${sub}:testClasses`, false);
      t(
        `:${sub}:test`,
        true,
        tested
          ? { cacheable: true, ms: rng.int(2_000, 14_000), tests: { count: rng.int(8, 160) } }
          : { noSource: true },
      );
      t(`:${sub}:check`, false);
      t(`:${sub}:build`, false);
    }
  }
  // The state of the build decides outcomes: a clean CI build executes everything, an
  // incremental one recompiles what changed, a cached one restores from the build cache.
  for (const task of tasks) {
    if (!task.actionable || task.outcome !== "executed") continue;
    if (
      state === "incremental" && !/compile(Test)?(Kotlin|Java)|:test$|Jar$|:jar$/.test(task.path)
    ) {
      task.outcome = rng.chance(0.85) ? "UP-TO-DATE" : "executed";
    } else if (state === "incremental" && rng.chance(0.5)) {
      task.outcome = "UP-TO-DATE";
    } else if (state === "cached" && task.cacheable) {
      task.outcome = "FROM-CACHE";
    } else if (state === "cached") {
      task.outcome = rng.chance(0.6) ? "UP-TO-DATE" : "executed";
    }
  }
  // What consumes a recompiled project's classes runs again: its jars and its tests.
  for (const task of tasks) {
    if (
      state !== "incremental" || task.outcome === "NO-SOURCE" || task.outcome === "SKIPPED" ||
      !/(:test|[jJ]ar|startScripts|distTar|distZip)$/.test(task.path)
    ) {
      continue;
    }
    const prefix = task.path.slice(0, task.path.lastIndexOf(":") + 1);
    const compiled = tasks.some((x) =>
      x.path.startsWith(prefix) && x.path.slice(prefix.length).startsWith("compile") &&
      !x.path.slice(prefix.length).includes(":") && x.outcome === "executed"
    );
    task.outcome = compiled ? "executed" : "UP-TO-DATE";
  }
  for (const task of tasks) {
    if (task.actionable && task.outcome !== "executed") task.ms = rng.int(5, 120);
  }
  // A lifecycle task is UP-TO-DATE when every task it depends on did no work.
  const lifecycleDeps: Record<string, string[]> = {
    classes: ["compileKotlin", "compileJava", "processResources"],
    testClasses: ["compileTestKotlin", "compileTestJava", "processTestResources"],
    assemble: ["jar", "bootJar", "startScripts", "distTar", "distZip"],
    check: ["test"],
    build: ["assemble", "check"],
  };
  const byPath = new Map(tasks.map((x) => [x.path, x]));
  for (const task of tasks) {
    if (task.actionable) continue;
    const cut = task.path.lastIndexOf(":");
    const prefix = task.path.slice(0, cut + 1);
    const deps = (lifecycleDeps[task.path.slice(cut + 1)] ?? [])
      .map((d) => byPath.get(prefix + d))
      .filter((d): d is Task => d !== undefined);
    if (deps.every((d) => ["UP-TO-DATE", "NO-SOURCE", "SKIPPED"].includes(d.outcome))) {
      task.outcome = "UP-TO-DATE";
    }
  }
  // Compiler output for tasks that really compiled.
  for (const task of tasks) {
    if (task.outcome !== "executed") continue;
    if (task.path === ":compileKotlin" && rng.chance(0.5)) {
      const dir = `${root}/src/main/kotlin/${pkg.replace(/\./g, "/")}`;
      const cls = rng.pick(["InvoiceService", "OrderController", "PricingRules", "EventPublisher"]);
      task.output.push(
        `w: file://${dir}/${cls}.kt:${rng.int(20, 140)}:${rng.int(5, 30)} Variable '${
          rng.pick(["rounded", "existing", "tmp", "response"])
        }' is never used`,
      );
      if (rng.chance(0.5)) {
        task.output.push(
          `w: file://${dir}/${cls}.kt:${rng.int(20, 140)}:${
            rng.int(20, 60)
          } 'fun toUpperCase(): String' is deprecated. Use uppercase() instead.`,
        );
      }
    }
    if (task.path === ":test" && rng.chance(0.6)) {
      task.output.push(
        "Mockito is currently self-attaching to enable the inline-mock-maker. This will no longer work in future releases of the JDK. Please add Mockito as an agent to your build what is described in Mockito's documentation: https://javadoc.io/doc/org.mockito/mockito-core/latest/org/mockito/Mockito.html#0.3",
        "OpenJDK 64-Bit Server VM warning: Sharing is only supported for boot loader classes because bootstrap classpath has been appended",
      );
    }
    if (/:(app|list):compileJava$/.test(task.path) && rng.chance(0.3)) {
      task.output.push(
        `Note: ${task.path.startsWith(":app") ? "app" : "list"}/src/main/java/${
          pkg.replace(/\./g, "/")
        }/${
          task.path.startsWith(":app") ? "App" : "LinkedList"
        }.java uses unchecked or unsafe operations.`,
        "Note: Recompile with -Xlint:unchecked for details.",
      );
    }
  }
  const testTasks = tasks.filter((x) => x.tests && x.outcome === "executed");
  if (testTasks.length > 0 && rng.chance(0.25)) {
    const task = rng.pick(testTasks);
    task.tests!.failed = kotlin
      ? {
        cls: rng.pick(["InvoiceServiceTest", "OrderControllerTest", "PricingRulesTest"]),
        name: rng.pick([
          "computes total with tax()",
          "rejects empty order()",
          "rounds half even()",
        ]),
        line: rng.int(30, 160),
      }
      : {
        cls: rng.pick(["AppTest", "LinkedListTest"]),
        name: rng.pick(["appHasAGreeting()", "testRemove()", "testAdd()"]),
        line: rng.int(12, 60),
      };
  }
  return {
    version: rng.pick(["8.14.3", "8.14.3", "9.0.0", "9.1.0"]),
    project,
    root,
    kotlin,
    coldDaemon: rng.chance(0.55),
    workers: rng.pick([2, 4, 4, 8]),
    configureMs: rng.int(1_500, kotlin ? 6_000 : 9_000),
    tasks,
    deprecations: rng.chance(0.35),
  };
}

/** `42s`, `1m 12s`: Gradle's build time. */
export function gradleTime(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m ${s % 60}s`;
}

/** `37 actionable tasks: 12 executed, 25 up-to-date`. */
export function actionableLine(tasks: readonly Task[], stopAt?: Task): string {
  const ran = stopAt ? tasks.slice(0, tasks.indexOf(stopAt) + 1) : tasks;
  const counted = ran.filter((t) =>
    t.actionable && t.outcome !== "NO-SOURCE" && t.outcome !== "SKIPPED"
  );
  const n = (o: Outcome) => counted.filter((t) => t.outcome === o).length;
  const parts = [
    n("executed") ? `${n("executed")} executed` : "",
    n("FROM-CACHE") ? `${n("FROM-CACHE")} from cache` : "",
    n("UP-TO-DATE") ? `${n("UP-TO-DATE")} up-to-date` : "",
  ].filter((p) => p);
  return `${counted.length} actionable task${counted.length === 1 ? "" : "s"}: ${parts.join(", ")}`;
}

/** The rich console's progress bar: `<=====--------> 42% EXECUTING [12s]`. */
export function progressBar(style: Style, fraction: number, phase: string, ms: number): string {
  const width = 13;
  const done = Math.min(width, Math.floor(width * fraction));
  return `${style.bold(`<${style.green("=".repeat(done))}${"-".repeat(width - done)}>`)} ${
    Math.floor(fraction * 100)
  }% ${phase} [${gradleTime(ms).replace(/^1s$/, "0s")}]`;
}

/** Either build tool's plan: Gradle mostly, Maven in some runs. */
export type BuildPlan = { tool: "gradle"; plan: GradlePlan } | { tool: "maven"; plan: MavenPlan };

/** Draws which tool builds this run, then its plan. */
export function planRun(rng: Rng): BuildPlan {
  return rng.chance(0.2)
    ? { tool: "maven", plan: planMaven(rng) }
    : { tool: "gradle", plan: planBuild(rng) };
}

async function run(ctx: Context): Promise<void> {
  const drawn = planRun(ctx.rng);
  if (drawn.tool === "maven") await runMaven(ctx, drawn.plan);
  else await runGradle(ctx, drawn.plan);
}

async function runGradle(ctx: Context, plan: GradlePlan): Promise<void> {
  const { out, rng, style } = ctx;
  const rich = ctx.term.isTTY;
  const start = ctx.clock.now();
  const elapsed = () => ctx.clock.now() - start;
  const idle = Array.from({ length: plan.workers }, () => "> IDLE");
  if (plan.coldDaemon) {
    out.line("Starting a Gradle Daemon (subsequent builds will be faster)");
    await ctx.sleep(rng.int(4_000, 9_000));
  }
  // Configuration: the bar counts projects evaluated.
  const projects = plan.kotlin ? ["root project"] : ["root project", ":app", ":list", ":utilities"];
  for (let i = 0; i < projects.length; i++) {
    if (rich) {
      out.live([
        progressBar(style, i / projects.length, "CONFIGURING", elapsed()),
        `> ${projects[i]} > Resolve dependencies of :${i === 0 ? "classpath" : "compileClasspath"}`,
        ...idle.slice(1),
      ]);
    }
    await ctx.sleep(plan.configureMs / projects.length);
  }
  const total = plan.tasks.length;
  let failedTask: Task | undefined;
  for (let i = 0; i < total; i++) {
    const task = plan.tasks[i]!;
    const suffix = task.outcome === "executed" ? "" : ` ${task.outcome}`;
    const failing = task.tests?.failed !== undefined;
    let spent = 0;
    const step = rich ? 200 : task.ms;
    while (spent < task.ms) {
      const slice = Math.min(step, task.ms - spent);
      if (rich) {
        const detail = task.tests
          ? ` > ${Math.floor((task.tests.count * spent) / Math.max(1, task.ms))} tests completed`
          : "";
        out.live([
          progressBar(style, i / total, "EXECUTING", elapsed()),
          `> ${task.path}${detail}`,
          ...idle.slice(1),
        ]);
      }
      await ctx.sleep(slice);
      spent += slice;
    }
    // Gradle prints a task's header when it finishes: every task in the plain
    // console, only tasks with output in the rich one.
    if (!rich) out.line(`> Task ${task.path}${suffix}${failing ? " FAILED" : ""}`);
    if (task.output.length > 0 || failing) {
      out.live([]);
      if (rich) {
        out.line(`${style.bold(`> Task ${task.path}`)}${failing ? style.red(" FAILED") : ""}`);
      }
      for (const l of task.output) out.line(l.startsWith("w: ") ? style.yellow(l) : l);
    }
    if (failing) {
      const f = task.tests!.failed!;
      out.line();
      out.line(`${f.cls} > ${f.name} ${style.red("FAILED")}`);
      out.line(
        `    org.opentest4j.AssertionFailedError at ${f.cls}.${
          plan.kotlin ? "kt" : "java"
        }:${f.line}`,
      );
      out.line();
      const n = task.tests!.count;
      out.line(`${n} test${n === 1 ? "" : "s"} completed, 1 failed`);
      out.line();
      failedTask = task;
      break;
    }
  }
  out.live([]);
  if (failedTask) {
    const sub = failedTask.path.replace(/:test$/, "").replace(/^:/, "");
    out.line(style.red("FAILURE: Build failed with an exception."));
    out.line();
    out.line(style.red("* What went wrong:"));
    out.line(`Execution failed for task '${failedTask.path}'.`);
    out.line(
      `> There were failing tests. See the report at: file://${plan.root}/${
        sub ? sub + "/" : ""
      }build/reports/tests/test/index.html`,
    );
    out.line();
    out.line(style.red("* Try:"));
    out.line("> Run with --scan to get full insights.");
    out.line();
  }
  if (plan.deprecations && !failedTask) {
    out.line();
    const next = plan.version.startsWith("8.") ? "9.0" : "10";
    out.line(
      `Deprecated Gradle features were used in this build, making it incompatible with Gradle ${next}.`,
    );
    out.line();
    out.line(
      "You can use '--warning-mode all' to show the individual deprecation warnings and determine if they come from your own scripts or plugins.",
    );
    out.line();
    out.line(
      `For more on this, please refer to https://docs.gradle.org/${plan.version}/userguide/command_line_interface.html#sec:command_line_warnings in the Gradle documentation.`,
    );
    out.line();
  } else if (!failedTask) {
    out.line();
  }
  const verdict = failedTask
    ? style.bold(style.red("BUILD FAILED"))
    : style.bold(style.green("BUILD SUCCESSFUL"));
  out.line(`${verdict} in ${gradleTime(elapsed())}`);
  out.line(actionableLine(plan.tasks, failedTask));
}

/** One test class's Surefire result. */
export interface TestClass {
  name: string;
  run: number;
  skipped: number;
  /** The failing method, if any. */
  failure?: { method: string; line: number; want: string; got: string };
  seconds: number;
}

/** One `mvn package`, drawn up front. */
export interface MavenPlan {
  group: string;
  artifact: string;
  root: string;
  coldRepo: boolean;
  mainSources: number;
  testSources: number;
  classes: TestClass[];
  startupMs: number;
}

/** Draws one Maven build. */
export function planMaven(rng: Rng): MavenPlan {
  const artifact = rng.pick(SERVICES);
  const group = `com.${rng.pick(["acme", "northwind", "kestrel"])}`;
  const root = rng.chance(0.4)
    ? `/home/runner/work/${artifact}/${artifact}`
    : `/home/${rng.pick(["alex", "sam", "dev", "priya", "mk"])}/src/${artifact}`;
  const classes: TestClass[] = rng.sample(maven.testClasses, rng.int(3, 5)).map((name) => ({
    name: `${group}.${artifact}.${name}`,
    run: name === "ApplicationTests" ? 1 : rng.int(3, 28),
    skipped: rng.chance(0.15) ? 1 : 0,
    seconds: name === "ApplicationTests" || name.endsWith("RepositoryTest")
      ? rng.float(1.5, 6)
      : rng.float(0.02, 0.6),
  }));
  if (rng.chance(0.25)) {
    const c = rng.pick(
      classes.filter((x) => x.run > 1).length ? classes.filter((x) => x.run > 1) : classes,
    );
    const want = `${rng.int(1, 300)}.${pad(rng.int(0, 99))}`;
    const got = (Number(want) - 0.01).toFixed(2);
    c.failure = {
      method: rng.pick(["roundsHalfEven", "appliesVat", "computesTotal", "appliesDiscount"]),
      line: rng.int(30, 140),
      want,
      got,
    };
  }
  return {
    group,
    artifact,
    root,
    coldRepo: rng.chance(0.45),
    mainSources: rng.int(14, 90),
    testSources: classes.length + rng.int(0, 3),
    classes,
    startupMs: rng.int(700, 1600),
  };
}

/** Maven's `----< key >----` header, 72 columns. */
export function mavenHeader(key: string, open = "< ", close = " >"): string {
  const left = Math.max(0, Math.floor((72 - key.length - open.length - close.length) / 2));
  const right = Math.max(0, 72 - key.length - open.length - close.length - left);
  return `${"-".repeat(left)}${open}${key}${close}${"-".repeat(right)}`;
}

async function runMaven(ctx: Context, plan: MavenPlan): Promise<void> {
  const { out, rng, style } = ctx;
  const start = ctx.clock.now();
  const info = (text = "") => out.line(`[${style.bold(style.blue("INFO"))}] ${text}`);
  const error = (text = "") => out.line(`[${style.bold(style.red("ERROR"))}] ${text}`);
  const rule = "-".repeat(72);
  // Java indents stack frames with a tab; a terminal shows it as 8 columns.
  const frame = (text: string) => out.line(`${ctx.term.isTTY ? " ".repeat(8) : "\t"}${text}`);
  const downloads = maven.downloads as [string, number][];
  const fetch = async (match: (path: string) => boolean) => {
    if (!plan.coldRepo) return;
    for (const [path, kb] of downloads.filter(([p]) => match(p))) {
      const url = `https://repo.maven.apache.org/maven2/${path}`;
      out.line(`Downloading from central: ${url}`);
      const rate = rng.float(0.8, 6) * 1000; // kB/s
      const ms = 40 + (kb / rate) * 1000;
      if (ctx.term.isTTY) {
        for (let got = 0; got < kb; got += Math.max(1, kb / 4)) {
          out.live([`Progress (1): ${got.toFixed(got < 10 ? 1 : 0)}/${kb} kB`]);
          await ctx.sleep(ms / 4);
        }
        out.live([]);
      } else {
        await ctx.sleep(ms);
      }
      const size = kb >= 1000 ? `${(kb / 1000).toFixed(1)} MB` : `${kb} kB`;
      const speed = rate >= 1000 ? `${(rate / 1000).toFixed(1)} MB/s` : `${Math.round(rate)} kB/s`;
      out.line(`Downloaded from central: ${url} (${size} at ${speed})`);
    }
  };
  const goal = (plugin: string, version: string, g: string, id: string) =>
    `--- ${style.green(`${plugin}:${version}:${g}`)} ${style.bold(`(${id})`)} @ ${
      style.cyan(plan.artifact)
    } ---`;
  info("Scanning for projects...");
  await ctx.sleep(plan.startupMs);
  await fetch((p) => /spring-boot-(starter-parent|dependencies)\//.test(p));
  info();
  info(mavenHeader(`${plan.group}:${plan.artifact}`));
  info(`Building ${plan.artifact} 0.0.1-SNAPSHOT`);
  info("  from pom.xml");
  info(mavenHeader("jar", "[ ", " ]"));
  const p = maven.plugins;
  await fetch((x) => x.includes("maven-resources-plugin"));
  info();
  info(goal("resources", p.resources, "resources", "default-resources"));
  info("Copying 1 resource from src/main/resources to target/classes");
  info("Copying 0 resource from src/main/resources to target/classes");
  await ctx.sleep(rng.int(60, 300));
  await fetch((x) =>
    x.includes("maven-compiler-plugin") ||
    /\/spring-(core|web|webmvc)\/|spring-boot\/|autoconfigure|jackson|tomcat/.test(x)
  );
  info();
  info(goal("compiler", p.compiler, "compile", "default-compile"));
  info("Recompiling the module because of changed source code.");
  info(
    `Compiling ${plan.mainSources} source files with javac [debug parameters release 21] to target/classes`,
  );
  await ctx.sleep(plan.mainSources * rng.float(60, 140) + rng.int(800, 2000));
  info();
  info(goal("resources", p.resources, "testResources", "default-testResources"));
  info(`skip non existing resourceDirectory ${plan.root}/src/test/resources`);
  await fetch((x) => /junit|mockito|assertj/.test(x));
  info();
  info(goal("compiler", p.compiler, "testCompile", "default-testCompile"));
  info("Recompiling the module because of changed dependency.");
  info(
    `Compiling ${plan.testSources} source files with javac [debug parameters release 21] to target/test-classes`,
  );
  await ctx.sleep(plan.testSources * rng.float(80, 200) + rng.int(500, 1500));
  await fetch((x) => x.includes("maven-surefire-plugin"));
  info();
  info(goal("surefire", p.surefire, "test", "default-test"));
  info(
    "Using auto detected provider org.apache.maven.surefire.junitplatform.JUnitPlatformProvider",
  );
  await ctx.sleep(rng.int(800, 2000));
  info();
  info("-------------------------------------------------------");
  info(" T E S T S");
  info("-------------------------------------------------------");
  for (const c of plan.classes) {
    info(`Running ${c.name}`);
    await ctx.sleep(c.seconds * 1000);
    const fails = c.failure ? 1 : 0;
    const counts =
      `Tests run: ${c.run}, Failures: ${fails}, Errors: 0, Skipped: ${c.skipped}, Time elapsed: ${
        c.seconds.toFixed(3)
      } s`;
    if (c.failure) {
      error(`${counts} ${style.red("<<< FAILURE!")} -- in ${c.name}`);
      error(
        `${c.name}.${c.failure.method} -- Time elapsed: ${(c.seconds / c.run).toFixed(3)} s ${
          style.red("<<< FAILURE!")
        }`,
      );
      out.line(
        `org.opentest4j.AssertionFailedError: expected: <${c.failure.want}> but was: <${c.failure.got}>`,
      );
      frame(
        "at org.junit.jupiter.api.AssertionFailureBuilder.build(AssertionFailureBuilder.java:151)",
      );
      frame(
        "at org.junit.jupiter.api.AssertionFailureBuilder.buildAndThrow(AssertionFailureBuilder.java:132)",
      );
      frame("at org.junit.jupiter.api.AssertEquals.failNotEqual(AssertEquals.java:197)");
      frame(`at ${c.name}.${c.failure.method}(${c.name.split(".").at(-1)}.java:${c.failure.line})`);
      frame("at java.base/java.lang.reflect.Method.invoke(Method.java:580)");
      frame("at java.base/java.util.ArrayList.forEach(ArrayList.java:1596)");
      out.line();
    } else {
      info(
        `${
          style.green(counts.split(", Failures")[0]!)
        }, Failures: 0, Errors: 0, Skipped: ${c.skipped}, Time elapsed: ${
          c.seconds.toFixed(3)
        } s -- in ${c.name}`,
      );
    }
  }
  const total = plan.classes.reduce((a, c) => a + c.run, 0);
  const skipped = plan.classes.reduce((a, c) => a + c.skipped, 0);
  const failed = plan.classes.filter((c) => c.failure);
  info();
  info("Results:");
  info();
  const summary = `Tests run: ${total}, Failures: ${failed.length}, Errors: 0, Skipped: ${skipped}`;
  if (failed.length > 0) {
    error("Failures: ");
    for (const c of failed) {
      error(
        `  ${c.name.split(".").at(-1)}.${c.failure!.method}:${c.failure!.line} expected: <${
          c.failure!.want
        }> but was: <${c.failure!.got}>`,
      );
    }
    info();
    error(summary);
    info();
  } else {
    info(summary);
    info();
    const jar = `${plan.root}/target/${plan.artifact}-0.0.1-SNAPSHOT.jar`;
    await fetch((x) => x.includes("maven-jar-plugin"));
    info();
    info(goal("jar", p.jar, "jar", "default-jar"));
    info(`Building jar: ${jar}`);
    await ctx.sleep(rng.int(200, 700));
    await fetch((x) => x.includes("spring-boot-maven-plugin"));
    info();
    info(goal("spring-boot", maven.boot, "repackage", "repackage"));
    await ctx.sleep(rng.int(400, 1400));
    info(
      `Replacing main artifact ${jar} with repackaged archive, adding nested dependencies in BOOT-INF/.`,
    );
    info(`The original artifact has been renamed to ${jar}.original`);
  }
  info(rule);
  info(
    failed.length > 0
      ? style.bold(style.red("BUILD FAILURE"))
      : style.bold(style.green("BUILD SUCCESS")),
  );
  info(rule);
  info(`Total time:  ${((ctx.clock.now() - start) / 1000).toFixed(3)} s`);
  const w = ctx.clock.wall();
  const off = ctx.clock.utcOffsetMinutes;
  const zone = off === 0
    ? "Z"
    : `${off < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  info(
    `Finished at: ${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}T${
      pad(w.getUTCHours())
    }:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())}${zone}`,
  );
  info(rule);
  if (failed.length > 0) {
    error(
      `Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:${p.surefire}:test (default-test) on project ${plan.artifact}: There are test failures.`,
    );
    error();
    error(`See ${plan.root}/target/surefire-reports for the individual test results.`);
    error(
      "See dump files (if any exist) [date].dump, [date]-jvmRun[N].dump and [date].dumpstream.",
    );
    error("-> [Help 1]");
    error();
    error("To see the full stack trace of the errors, re-run Maven with the -e switch.");
    error("Re-run Maven using the -X switch to enable full debug logging.");
    error();
    error(
      "For more information about the errors and possible solutions, please read the following articles:",
    );
    error("[Help 1] http://cwiki.apache.org/confluence/display/MAVEN/MojoFailureException");
  }
}

/** `./gradlew build` of one JVM project (Gradle 8.14 / 9.x, Kotlin or Java). */
export const gradle: Module = {
  name: "gradle",
  signature: "./gradlew build",
  about: "Build and test a JVM project with Gradle (Kotlin or Java), or Maven",
  maxDurationMs: 120_000,
  run,
};
