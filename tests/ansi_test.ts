import assert from "node:assert/strict";
import fc from "fast-check";
import {
  charWidth,
  escapeLength,
  padEndVisible,
  stripAnsi,
  truncate,
  visibleWidth,
  wrapRows,
} from "../core/ansi.ts";
import { createStyle } from "../core/style.ts";

const style = createStyle(true);

Deno.test("visibleWidth ignores escape codes and counts wide characters twice", () => {
  assert.equal(visibleWidth(style.green("Compiling")), 9);
  assert.equal(visibleWidth("日本"), 4);
  assert.equal(visibleWidth("█░⠋…"), 4);
  assert.equal(visibleWidth("e\u0301"), 1);
  assert.equal(visibleWidth("🚀⭐✅"), 6);
  assert.equal(visibleWidth("✓✗━"), 3);
});

Deno.test("truncate never exceeds the width and keeps escapes balanced", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom("a", "█", "日", "\x1b[32m", "\x1b[0m", " "), { maxLength: 60 }),
      fc.integer({ min: 0, max: 40 }),
      fc.boolean(),
      (parts, cols, ellipsis) => {
        const text = parts.join("");
        const cut = truncate(text, cols, ellipsis);
        assert.ok(visibleWidth(cut) <= cols, `${JSON.stringify(cut)} wider than ${cols}`);
        if (visibleWidth(text) <= cols) assert.equal(cut, text);
        if (cut !== text && cut.includes("\x1b[")) assert.ok(cut.endsWith("\x1b[0m"));
      },
    ),
  );
});

Deno.test("truncate with an ellipsis ends in … and keeps the text before it", () => {
  assert.equal(truncate("abcdefghij", 5, true), "abcd…");
  assert.equal(stripAnsi(truncate(style.red("abcdefghij"), 4)), "abcd");
});

Deno.test("padEndVisible pads styled text by its visible width", () => {
  const padded = padEndVisible(style.bold("ab"), 5);
  assert.equal(visibleWidth(padded), 5);
  assert.ok(padded.endsWith("   "));
});

Deno.test("style with colour off returns text unchanged; on, wraps and nests", () => {
  const off = createStyle(false);
  assert.equal(off.red(off.bold("x")), "x");
  assert.equal(off.combine(off.bold, off.green)("x"), "x");
  assert.equal(style.red("x"), "\x1b[31mx\x1b[39m");
  const nested = style.red(`a${style.green("b")}c`);
  assert.equal(nested, "\x1b[31ma\x1b[32mb\x1b[39m\x1b[31mc\x1b[39m");
});

Deno.test("escapeLength parses CSI, control strings and two- and three-byte escapes as a VT does", () => {
  const whole = [
    "\x1b[0m",
    "\x1b[38;2;1;2;3m",
    "\x1b[?25l",
    "\x1b[2K",
    "\x1b]8;;https://x\x07",
    "\x1b]0;title\x1b\\",
    "\x1bPq#0\x1b\\",
    "\x1b(B",
    "\x1b7",
    "\x1bM",
    "\x1b",
  ];
  for (const seq of whole) {
    assert.equal(escapeLength(seq + "日", 0), seq.length, JSON.stringify(seq));
  }
  assert.equal(escapeLength("a\x1b[12", 1), 4, "a sequence cut off by the end runs to the end");
  assert.equal(escapeLength("\x1b[1日m", 0), 3, "a malformed sequence ends before the odd byte");
});

Deno.test("one grammar: width, stripping, truncation and wrapping agree on every escape", () => {
  // ESC ( B (designate a character set) draws nothing: "abcd" is four columns everywhere.
  const text = "ab\x1b(Bcd";
  assert.equal(visibleWidth(text), 4);
  assert.equal(stripAnsi(text), "abcd");
  assert.equal(truncate(text, 4), text);
  assert.equal(stripAnsi(truncate(text, 3)), "abc");
  assert.deepEqual(wrapRows(text, 4).map(stripAnsi), ["abcd"]);
  const piece = fc.constantFrom(
    "a",
    " ",
    "█",
    "日",
    "✅",
    "e\u0301",
    "\x1b[32m",
    "\x1b[0m",
    "\x1b(B",
    "\x1b]8;;u\x07",
    "\x1b7",
  );
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 40 }),
      fc.integer({ min: 2, max: 30 }),
      (parts, cols) => {
        const line = parts.join("");
        const plain = stripAnsi(line);
        let width = 0;
        for (const ch of plain) width += charWidth(ch.codePointAt(0) ?? 0);
        assert.equal(visibleWidth(line), width);
        assert.ok(plain.startsWith(stripAnsi(truncate(line, cols))));
        const rows = wrapRows(line, cols);
        assert.equal(rows.join(""), line, "wrapping only splits");
        for (const row of rows) assert.ok(visibleWidth(row) <= cols);
        for (let i = 0; i + 1 < rows.length; i++) {
          // A row ends early only when the next glyph would not fit in it.
          const next = [...stripAnsi(rows[i + 1] as string)][0] ?? "";
          assert.ok(visibleWidth(rows[i] as string) + charWidth(next.codePointAt(0) ?? 0) > cols);
        }
        assert.equal(rows.length === 1, width <= cols || width === 0);
      },
    ),
  );
});
