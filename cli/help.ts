/**
 * `--help`, `--version` and `--list-modules` text, derived from the option
 * table and the registry.
 *
 * @module
 */

import { truncate } from "../core/ansi.ts";
import type { Module } from "../core/types.ts";
import { OPTION_TABLE, type OptionSpec } from "./options.ts";

/** The one-line description of the program. */
export const ABOUT = "A nonsense activity generator";

/** `-s, --speed-factor <SPEED_FACTOR>` as the help's left column shows it. */
function optionLabel(spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : "    ";
  return `${short}--${spec.long}${spec.value ? ` <${spec.value}>` : ""}`;
}

/** Wraps words to lines of at most `width` columns. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines;
}

/** The `--help` text, wrapped to `cols` columns. */
export function helpText(
  version: string,
  bold: (s: string) => string = (s) => s,
  cols = 80,
): string {
  const labels = OPTION_TABLE.map(optionLabel);
  const width = Math.max(...labels.map((l) => l.length)) + 2;
  const textWidth = Math.max(30, cols - width - 2);
  const rows = OPTION_TABLE.map((spec, i) => {
    const extra = [
      spec.defaultText !== undefined ? `[default: ${spec.defaultText}]` : "",
      Array.isArray(spec.complete) ? `[possible values: ${spec.complete.join(", ")}]` : "",
    ].filter(Boolean).join(" ");
    const [first = "", ...rest] = wrapWords(`${spec.help}${extra ? " " + extra : ""}`, textWidth);
    return [
      `  ${bold((labels[i] as string).padEnd(width))}${first}`,
      ...rest.map((line) => " ".repeat(width + 2) + line),
    ].join("\n");
  });
  return [
    `denact ${version}`,
    ...wrapWords(
      `${ABOUT}: pretends to compile code, build containers and train language models ` +
        "while nothing happens at all. Press Ctrl-C to stop.",
      Math.max(30, cols - 2),
    ),
    "",
    `${bold("Usage:")} denact [OPTIONS]`,
    "",
    bold("Options:"),
    ...rows,
    "",
    bold("Examples:"),
    "  denact -m llm_training                 train a large language model, pretend-style",
    "  denact -m cargo,docker_build -s 2      two modules at double speed",
    "  denact --exit-after-time 30s | cat     30 seconds of plain lines for a CI log",
    "",
  ].join("\n");
}

/**
 * The `--list-modules` text: name, signature and description, aligned, one
 * row per module. Given a terminal `width` the rows do not fit, each module
 * takes two lines instead (name and signature, then the description below the
 * signature), each cut to the width, so nothing wraps.
 */
export function listText(
  modules: readonly Module[],
  bold: (s: string) => string = (s) => s,
  width?: number,
): string {
  const nameWidth = Math.max(...modules.map((m) => m.name.length)) + 2;
  const sigWidth = Math.max(...modules.map((m) => m.signature.length)) + 2;
  const rowWidth = 2 + nameWidth + sigWidth + Math.max(...modules.map((m) => m.about.length));
  if (width === undefined || rowWidth <= width) {
    const rows = modules.map((m) =>
      `  ${bold(m.name.padEnd(nameWidth))}${m.signature.padEnd(sigWidth)}${m.about}`
    );
    return ["Available modules:", ...rows, ""].join("\n");
  }
  const indent = " ".repeat(2 + nameWidth);
  const rows = modules.flatMap((m) => [
    `  ${bold(m.name.padEnd(nameWidth))}${truncate(m.signature, width - indent.length, true)}`,
    indent + truncate(m.about, width - indent.length, true),
  ]);
  return ["Available modules:", ...rows, ""].join("\n");
}
