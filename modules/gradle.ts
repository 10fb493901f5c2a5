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
 * @module
 */

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

async function run(ctx: Context): Promise<void> {
  const { out, rng, style } = ctx;
  const plan = planBuild(rng);
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

/** `./gradlew build` of one JVM project (Gradle 8.14 / 9.x, Kotlin or Java). */
export const gradle: Module = {
  name: "gradle",
  signature: "./gradlew build",
  about: "Build and test a JVM project with Gradle (Kotlin or Java)",
  maxDurationMs: 120_000,
  run,
};
