/**
 * Splits command-line arguments into option and positional tokens, the way
 * clap and `node:util` parseArgs do: `--name=value`, `--name value`, `-s value`,
 * `-svalue`, grouped short flags (`-lV`), and `--` ending the options.
 *
 * Written here rather than taken from `node:util`: loading Deno's Node
 * compatibility layer for parseArgs costs about 15 ms, half of a hello-world's
 * whole start-up, and this is all of it that denact needs.
 *
 * @module
 */

/** One piece of the command line. */
export type Token =
  | {
    kind: "option";
    /** Long name without dashes, or the short letter when the option is unknown. */
    name: string;
    /** As typed: `--speed-factor` or `-s`. */
    rawName: string;
    /** The value, if one was given or taken from the next argument. */
    value: string | undefined;
    /** Whether the value was attached (`--x=v`, `-sv`). */
    inlineValue: boolean;
  }
  | { kind: "positional"; value: string }
  | { kind: "option-terminator" };

/** What the tokenizer needs to know about an option. */
export interface TokenSpec {
  /** Long name without dashes. */
  readonly long: string;
  /** Short letter, if any. */
  readonly short?: string;
  /** Whether it takes a value. */
  readonly takesValue: boolean;
}

/** Tokenizes `args` against `specs`. Unknown options become tokens without a value. */
export function tokenize(args: readonly string[], specs: readonly TokenSpec[]): Token[] {
  const tokens: Token[] = [];
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const byShort = new Map(specs.flatMap((s) => (s.short ? [[s.short, s] as const] : [])));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") {
      tokens.push({ kind: "option-terminator" });
      for (const rest of args.slice(i + 1)) tokens.push({ kind: "positional", value: rest });
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const rawName = `--${name}`;
      if (eq !== -1) {
        tokens.push({ kind: "option", name, rawName, value: arg.slice(eq + 1), inlineValue: true });
      } else if (byLong.get(name)?.takesValue && i + 1 < args.length) {
        tokens.push({ kind: "option", name, rawName, value: args[++i], inlineValue: false });
      } else {
        tokens.push({ kind: "option", name, rawName, value: undefined, inlineValue: false });
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j] as string;
        const spec = byShort.get(letter);
        const name = spec?.long ?? letter;
        const rawName = `-${letter}`;
        if (!spec?.takesValue) {
          tokens.push({ kind: "option", name, rawName, value: undefined, inlineValue: false });
          continue;
        }
        const attached = arg.slice(j + 1);
        if (attached.length > 0) {
          tokens.push({ kind: "option", name, rawName, value: attached, inlineValue: true });
        } else if (i + 1 < args.length) {
          tokens.push({ kind: "option", name, rawName, value: args[++i], inlineValue: false });
        } else {
          tokens.push({ kind: "option", name, rawName, value: undefined, inlineValue: false });
        }
        break;
      }
      continue;
    }
    tokens.push({ kind: "positional", value: arg });
  }
  return tokens;
}
