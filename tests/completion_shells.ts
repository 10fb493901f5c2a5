/**
 * Test helpers that load a completion script into a real shell and ask it what
 * it would offer for command lines. Each helper answers many lines with one
 * shell process: a list of offers per line, in the order the shell gave them.
 *
 * A line ending in a space completes an empty word (`denact --color `).
 *
 * @module
 */

import { bashQuote } from "../cli/completions/bash.ts";
import { fishQuote } from "../cli/completions/fish.ts";
import { elvishQuote } from "../cli/completions/elvish.ts";

const END = "@@END@@";
const decoder = new TextDecoder();

/** Whether `command` can be run (it is on PATH). */
export function hasCommand(command: string): boolean {
  try {
    const { success } = new Deno.Command("sh", {
      args: ["-c", `command -v ${command}`],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return success;
  } catch {
    return false;
  }
}

/** Runs `command`; returns stdout, throwing with stderr when it fails or hangs. */
async function run(command: string, args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(command, {
    args,
    env: { LC_ALL: "C.UTF-8", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const stdout = decoder.decode(output.stdout);
  if (!output.success) {
    throw new Error(`${command} failed (${output.code}):\n${decoder.decode(output.stderr)}`);
  }
  return stdout;
}

/** Splits output at the end markers into one list of offers per line. */
function answers(stdout: string, count: number): string[][] {
  const parts = stdout.replaceAll("\r", "").split(`${END}\n`).slice(0, count);
  if (parts.length !== count) throw new Error(`expected ${count} answers, got:\n${stdout}`);
  return parts.map((part) => part.split("\n").filter((line) => line !== ""));
}

/**
 * Writes `text` to a file named `name` in a fresh temporary folder, calls
 * `use` with its path, and removes the folder again, whatever happens.
 */
async function withTempFile<T>(
  name: string,
  text: string,
  use: (path: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "denact_completions_" });
  try {
    const path = `${dir}/${name}`;
    await Deno.writeTextFile(path, text);
    return await use(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The words bash hands a completion function for `line`: split at spaces,
 * `--opt=value` split into `--opt`, `=`, `value` (`=` is in COMP_WORDBREAKS).
 */
export function bashWords(line: string): string[] {
  return line.split(" ").flatMap((word) => {
    const match = /^(--[^=]+)=(.*)$/.exec(word);
    return match ? [match[1] as string, "=", match[2] as string] : [word];
  });
}

/** What bash offers for each line, calling the function `complete -p denact` names. */
export async function completeBash(script: string, lines: readonly string[]): Promise<string[][]> {
  return await withTempFile("denact.bash", script, async (path) => {
    const driver = [
      `source ${bashQuote(path)}`,
      `fn=$(complete -p denact | sed -E 's/.*-F ([^ ]+).*/\\1/')`,
      "ask() {",
      '  COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}',
      '  COMPREPLY=(); "$fn" denact "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
      `  printf '%s\\n' "\${COMPREPLY[@]}"; echo '${END}'`,
      "}",
      ...lines.map((line) => `ask ${bashWords(line).map(bashQuote).join(" ")}`),
    ].join("\n");
    return answers(await run("bash", ["--norc", "--noprofile", "-c", driver]), lines.length);
  });
}

/** What fish offers for each line (`complete -C`), without the descriptions. */
export async function completeFish(script: string, lines: readonly string[]): Promise<string[][]> {
  return await withTempFile("denact.fish", script, async (path) => {
    const driver = [
      `source ${fishQuote(path)}`,
      ...lines.map((line) => `complete -C ${fishQuote(line)}; echo '${END}'`),
    ].join("\n");
    const stdout = await run("fish", ["--no-config", "-c", driver]);
    return answers(stdout, lines.length).map((offers) => offers.map((o) => o.split("\t")[0] ?? ""));
  });
}

/**
 * What elvish offers for each line. The completer is a closure assigned to
 * `edit:completion:arg-completer[denact]`, and the `edit:` module exists only
 * in the interactive editor, so the driver binds the same closure to a
 * variable and calls it, then filters by prefix as elvish's default matcher
 * does.
 */
export async function completeElvish(
  script: string,
  lines: readonly string[],
): Promise<string[][]> {
  const assignment = "set edit:completion:arg-completer[denact] = ";
  if (!script.includes(assignment)) throw new Error("the elvish script assigns no completer");
  const body = script.replace(assignment, "var completer = ");
  const driver = [
    body,
    ...lines.map((line) => {
      const words = line.split(" ");
      const seed = words.at(-1) ?? "";
      return `$completer ${words.map(elvishQuote).join(" ")} | each {|c| ` +
        `if (str:has-prefix $c ${elvishQuote(seed)}) { echo $c } }; echo '${END}'`;
    }),
  ].join("\n");
  return await withTempFile(
    "driver.elv",
    driver,
    async (path) => answers(await run("elvish", ["-norc", path]), lines.length),
  );
}

/**
 * What zsh offers for each line: an interactive zsh in a pseudo-terminal
 * (zsh/zpty) autoloads the script from `$fpath` as `_denact` and runs compinit;
 * `compadd` is wrapped to print every match; Tab triggers completion.
 */
export async function completeZsh(script: string, lines: readonly string[]): Promise<string[][]> {
  return await withTempFile("_denact", script, async (path) => {
    const dir = path.slice(0, path.lastIndexOf("/"));
    const setup = [
      `fpath=(${bashQuote(dir)} $fpath); autoload -Uz compinit; compinit -u -D`,
      "PROMPT=''; RPROMPT=''; zstyle ':completion:*' insert-tab false",
      "__begin() { print }",
      '__done() { print -r -- "<<<""END>>>"; compprefuncs=(__begin); comppostfuncs=(__done) }',
      "compprefuncs=(__begin); comppostfuncs=(__done)",
      'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "$@";' +
      ' return $?; fi; local -a hits; builtin compadd -A hits "$@"; local h;' +
      ' for h in $hits; do print -r -- "<<<""M>>>$IPREFIX$h"; done; builtin compadd "$@" }',
      "bindkey '^I' complete-word",
    ];
    const driver = [
      "zmodload zsh/zpty",
      "zpty z zsh -f -i",
      ...setup.map((command) => `zpty -w z ${bashQuote(command)}`),
      ...lines.flatMap((line) => [
        `zpty -n -w z ${bashQuote(line)}$'\\t'`,
        "zpty -r -m z out '*<<<END>>>*' || { print -u2 'no completion output'; exit 1 }",
        "print -r -- \"$out\" | tr -d '\\r' | grep -a '^<<<M>>>' | sed 's/^<<<M>>>//' | sort -u",
        `print -r -- '${END}'`,
        "zpty -n -w z $'\\x15'",
      ]),
      "zpty -d z",
    ].join("\n");
    return answers(await run("zsh", ["-f", "-c", driver]), lines.length);
  });
}
