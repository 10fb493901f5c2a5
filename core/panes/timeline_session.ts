/**
 * A session paced by a shared {@linkcode Timeline}: its own virtual clock for
 * pretend time, and a park on the timeline after every sleep. Kept apart from
 * the panes so a single recorded session does not load a terminal emulator.
 *
 * @module
 */

import type { Rng } from "../rng.ts";
import { Session } from "../session.ts";
import type { Context } from "../types.ts";
import type { Timeline } from "./timeline.ts";

/**
 * A session on its own virtual clock whose sleeps also wait for a shared
 * {@linkcode Timeline}, so several sessions and the compositor's frames
 * advance together: on real time (live) or as fast as possible. Create it
 * with `virtual: true` and `startedAgoMs: timeline.now()`.
 */
export class TimelineSession extends Session {
  #timeline: Timeline;

  /** Creates the session on `timeline`. */
  constructor(options: ConstructorParameters<typeof Session>[0], timeline: Timeline) {
    super(options);
    this.#timeline = timeline;
    this.screen.setSleep((ms) => this.sleep(ms));
  }

  /** Sleeps on the pane's own clock, then parks until the shared timeline catches up. */
  async sleep(ms: number): Promise<void> {
    await this.clock.sleep(ms);
    await this.#timeline.sleepUntil(this.clock.elapsedReal());
  }

  override context(rng?: Rng): Context {
    return { ...super.context(rng), sleep: (ms: number) => this.sleep(ms) };
  }
}
