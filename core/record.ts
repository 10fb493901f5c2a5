/**
 * `--record FILE`: what is shown, written as an asciicast v2 file (the format
 * asciinema, its web player and GIF converters read). The first line is a JSON
 * header (`version`, `width`, `height`, `timestamp`, `env`); every following
 * line is an event `[seconds, "o", data]` (output) or `[seconds, "r", "COLSxROWS"]`
 * (resize), with times in seconds since the start, never decreasing.
 *
 * The recorder never ends a live run: if writing fails (disk full, file
 * removed), it stops recording, remembers why, and the run goes on; the
 * caller reports the failure at exit.
 *
 * @module
 */

/** The asciicast v2 header. */
export interface CastHeader {
  readonly version: 2;
  readonly width: number;
  readonly height: number;
  /** Unix time of the start, in seconds. */
  readonly timestamp: number;
  readonly env: { readonly TERM: string };
}

/** Where the cast goes: a file, or memory in tests. */
export interface CastSink {
  /** Writes all of `text`; throws on failure. */
  write(text: string): void;
  /** Closes the destination; throws on failure. */
  close(): void;
}

/** Builds the header for a `width` x `height` cast started at `epochMs`. */
export function castHeader(
  width: number,
  height: number,
  epochMs: number,
  term: string,
): CastHeader {
  return { version: 2, width, height, timestamp: Math.floor(epochMs / 1000), env: { TERM: term } };
}

/** Seconds with microsecond precision, as asciinema writes them. */
function seconds(ms: number): number {
  return Math.round(ms * 1000) / 1_000_000;
}

/** Options for {@linkcode CastRecorder}. */
export interface CastRecorderOptions {
  /** Write each event at once (live runs) instead of in large batches (fast-forward). */
  immediate?: boolean;
}

const BATCH_CHARS = 64 * 1024;

/** Writes an asciicast v2 stream; see the module documentation. */
export class CastRecorder {
  #sink: CastSink;
  #immediate: boolean;
  #buffer = "";
  #lastMs = 0;
  #events = 0;
  #failure: string | undefined;
  #closed = false;

  /** Starts a cast: writes the header. A failure here is reported by {@linkcode failure}. */
  constructor(sink: CastSink, header: CastHeader, options: CastRecorderOptions = {}) {
    this.#sink = sink;
    this.#immediate = options.immediate ?? false;
    this.#put(JSON.stringify(header) + "\n");
  }

  /** Output shown at `timeMs` since the start. Lone line feeds become CR LF, as a terminal shows them. */
  output(timeMs: number, data: string): void {
    if (data.length === 0) return;
    this.#event(timeMs, "o", data.replaceAll("\r\n", "\n").replaceAll("\n", "\r\n"));
  }

  /** The screen became `cols` x `rows` at `timeMs`. */
  resize(timeMs: number, cols: number, rows: number): void {
    this.#event(timeMs, "r", `${cols}x${rows}`);
  }

  /** Events recorded. */
  get events(): number {
    return this.#events;
  }

  /** Time of the last event, in milliseconds. */
  get lastMs(): number {
    return this.#lastMs;
  }

  /** Why recording stopped early, if it did. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Writes what is buffered and closes the file. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#flush();
    try {
      this.#sink.close();
    } catch (error) {
      this.#failure ??= describeError(error);
    }
  }

  #event(timeMs: number, kind: "o" | "r", data: string): void {
    if (this.#closed || this.#failure) return;
    const ms = Math.max(this.#lastMs, timeMs);
    this.#lastMs = ms;
    this.#events++;
    this.#put(JSON.stringify([seconds(ms), kind, data]) + "\n");
  }

  #put(line: string): void {
    this.#buffer += line;
    if (this.#immediate || this.#buffer.length >= BATCH_CHARS) this.#flush();
  }

  #flush(): void {
    if (this.#buffer.length === 0 || this.#failure) return;
    const text = this.#buffer;
    this.#buffer = "";
    try {
      this.#sink.write(text);
    } catch (error) {
      this.#failure = describeError(error);
    }
  }
}

/** Reasons worded for people, by the error code the runtime gives. */
const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device (the disk is full)",
  EDQUOT: "the disk quota is used up",
  EISDIR: "it is a directory; give the name of a file to write",
  EROFS: "the file system is read-only",
  EFBIG: "the file has grown past what the file system allows",
};

/**
 * A short, human reason from an error: a clear sentence for the errors a
 * recording meets (disk full, a directory, a read-only disk), otherwise the
 * runtime's own words (`No such file or directory (os error 2)`).
 */
export function describeError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && REASONS[code] !== undefined) return REASONS[code];
  return error instanceof Error ? error.message : String(error);
}

/** A parsed cast: header and events (for tests and tools). */
export interface ParsedCast {
  header: CastHeader;
  events: [number, string, string][];
}

/** Parses asciicast v2 text; throws `SyntaxError` naming the bad line. */
export function parseCast(text: string): ParsedCast {
  const lines = text.split("\n").filter((line) => line.length > 0);
  const header = JSON.parse(lines[0] ?? "") as CastHeader;
  if (header.version !== 2) throw new SyntaxError("Cannot parse cast: version is not 2");
  const events = lines.slice(1).map((line, i) => {
    const event = JSON.parse(line);
    if (
      !Array.isArray(event) || event.length !== 3 || typeof event[0] !== "number" ||
      typeof event[1] !== "string" || typeof event[2] !== "string"
    ) {
      throw new SyntaxError(`Cannot parse cast: line ${i + 2} is not [time, code, data]`);
    }
    return event as [number, string, string];
  });
  return { header, events };
}

/** Smallest and largest size `--record-size` accepts. */
export const RECORD_SIZE_LIMITS = { minCols: 20, maxCols: 1000, minRows: 5, maxRows: 500 } as const;

/** Parses `--record-size COLSxROWS` (e.g. `100x30`). Throws `RangeError` with the reason. */
export function parseRecordSize(raw: string): { cols: number; rows: number } {
  const match = /^(\d+)\s*[xX×]\s*(\d+)$/.exec(raw.trim());
  if (!match) throw new RangeError("expected COLSxROWS, such as 100x30");
  const cols = Number(match[1]);
  const rows = Number(match[2]);
  const { minCols, maxCols, minRows, maxRows } = RECORD_SIZE_LIMITS;
  if (cols < minCols || cols > maxCols) {
    throw new RangeError(`columns must be from ${minCols} to ${maxCols}`);
  }
  if (rows < minRows || rows > maxRows) {
    throw new RangeError(`rows must be from ${minRows} to ${maxRows}`);
  }
  return { cols, rows };
}
