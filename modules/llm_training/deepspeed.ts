import type { Run } from "./runtime.ts";
/** DS. */
export async function runDeepspeed(run: Run): Promise<void> {
  await run.pause(1000);
  run.line("ds");
}
