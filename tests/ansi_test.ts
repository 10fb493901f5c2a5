import assert from "node:assert/strict";
import fc from "fast-check";
import { padEndVisible, stripAnsi, truncate, visibleWidth } from "../core/ansi.ts";
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
