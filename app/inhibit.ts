/**
 * `--inhibit`: keeps the machine awake while denact runs, with the platform's own
 * helper: systemd-inhibit (Linux), caffeinate (macOS), PowerShell (Windows).
 * The helper watches our lifetime (stdin or process id), so the lock goes away
 * even if denact dies abruptly.
 *
 * @module
 */

/** How to keep one platform awake. */
interface InhibitPlan {
  command: string;
  args: string[];
  /** The helper ends when its stdin closes. */
  stdinTied: boolean;
}

/** The helper command for an OS, given our process id and the reason text. */
function inhibitPlan(os: string, pid: number, reason: string): InhibitPlan | undefined {
  switch (os) {
    case "linux":
      return {
        command: "systemd-inhibit",
        args: ["--what=idle:sleep", "--who=denact", `--why=${reason}`, "--mode=block", "cat"],
        stdinTied: true,
      };
    case "darwin":
      return { command: "caffeinate", args: ["-dims", "-w", String(pid)], stdinTied: false };
    case "windows":
      return {
        command: "powershell",
        args: [
          "-NoProfile",
          "-NonInteractive",
          "-Command",
          "$s='[DllImport(\"kernel32.dll\")] public static extern uint SetThreadExecutionState(uint f);';" +
          "$k=Add-Type -MemberDefinition $s -Name Awake -Namespace Denact -PassThru;" +
          "[void]$k::SetThreadExecutionState(0x80000003);" +
          `Wait-Process -Id ${pid}`,
        ],
        stdinTied: false,
      };
    default:
      return undefined;
  }
}

/** A running keep-awake helper. */
export interface Inhibitor {
  /** Releases the lock. */
  release(): void;
}

/**
 * Starts the keep-awake helper. Returns undefined and calls `warn` with a clear
 * message when it cannot (no permission, helper missing, unsupported platform).
 */
export function startInhibitor(
  reason: string,
  warn: (message: string) => void,
): Inhibitor | undefined {
  const plan = inhibitPlan(Deno.build.os, Deno.pid, reason);
  if (!plan) {
    warn(`warning: --inhibit is not supported on ${Deno.build.os}; continuing without it`);
    return undefined;
  }
  let state: string;
  try {
    state = Deno.permissions.querySync({ name: "run", command: plan.command }).state;
  } catch {
    state = "denied";
  }
  if (state !== "granted") {
    warn(
      `warning: --inhibit needs permission to run '${plan.command}' ` +
        `(deno run --allow-run=${plan.command} ...); continuing without it`,
    );
    return undefined;
  }
  try {
    const child = new Deno.Command(plan.command, {
      args: plan.args,
      stdin: plan.stdinTied ? "piped" : "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    child.unref();
    let released = false;
    // The helper runs for as long as we do; if it ends on its own, it failed (no system bus,
    // no session, refused): say so, with the first line it printed.
    Promise.all([child.status, new Response(child.stderr).text()]).then(([status, text]) => {
      if (released) return;
      const said = text.split("\n").map((line) => line.trim()).find((line) => line !== "");
      const how = status.signal
        ? `was killed by ${status.signal}`
        : `exited with code ${status.code}`;
      warn(
        `warning: --inhibit: '${plan.command}' ${how}${
          said ? ` (${said})` : ""
        }; continuing without it`,
      );
    }).catch(() => {});
    return {
      release() {
        released = true;
        try {
          if (plan.stdinTied) child.stdin.close();
          child.kill("SIGTERM");
        } catch {
          // Already gone.
        }
      },
    };
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "it is not installed" : String(error);
    warn(`warning: --inhibit could not start '${plan.command}': ${why}; continuing without it`);
    return undefined;
  }
}
