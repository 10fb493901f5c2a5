/**
 * What `--panes` adds to a run: the pane display (and with it the panes'
 * terminal emulator) and the alternate screen's sequences. The command line
 * hands {@linkcode play} a loader for this file, so only a pane run loads it
 * and the page's bundle, which has no panes, leaves it out.
 *
 * @module
 */

export { PaneDisplay } from "../core/panes/display.ts";
export { ENTER_SCREEN, RESTORE_SCREEN } from "../core/panes/compositor.ts";
