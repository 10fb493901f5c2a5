/**
 * Assembles the single-file page: its HTML with the xterm.js styles
 * and the bundled script inlined, under a Content-Security-Policy that allows
 * exactly that script (by its SHA-256) and nothing from anywhere else.
 *
 * @module
 */

/** What goes into the page. */
export interface PageParts {
  /** The bundled browser script (an ES module). */
  script: string;
  /** The xterm.js stylesheet. */
  css: string;
}

/** The policy: nothing may load, connect or be framed in; only the one inline script runs. */
export function contentSecurityPolicy(scriptHash: string): string {
  return [
    "default-src 'none'",
    `script-src '${scriptHash}'`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/** `sha256-<base64>` of `text` as UTF-8, as a CSP source expression wants it. */
async function sha256Source(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let binary = "";
  for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
  return `sha256-${btoa(binary)}`;
}

/** A terminal prompt in green on black, as the tab's icon. */
const ICON = "data:image/svg+xml," + encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16"/>' +
    '<path d="M3 4l4 4-4 4" stroke="#0d0" stroke-width="2" fill="none"/>' +
    '<rect x="8" y="11" width="5" height="2" fill="#0d0"/></svg>',
);

/** The page's own styles: a black page that the terminal fills, without a scrollbar. */
const PAGE_CSS = `
html, body { margin: 0; height: 100%; background: #000; overflow: hidden; }
#terminal { position: fixed; inset: 0; padding: 4px 0 0 6px; }
.xterm .xterm-scrollable-element > .scrollbar { display: none; }
`;

/** The page's HTML around the inlined styles and script (a pure function). */
export function pageHtml(csp: string, css: string, script: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="description" content="denact: a nonsense activity generator, in the browser">
<title>denact</title>
<link rel="icon" href="${ICON}">
<style>
${css}
${PAGE_CSS}</style>
</head>
<body>
<div id="terminal"></div>
<script type="module">${script}</script>
</body>
</html>
`;
}

/**
 * Builds the page. Throws if the script or the styles could end their element
 * early (`</script`, `</style`, `<!--`), since escaping code safely is not
 * possible in general; the bundler already escapes these inside strings.
 */
export async function assemblePage(parts: PageParts): Promise<string> {
  if (/<\/script|<!--/i.test(parts.script)) {
    throw new Error("the bundled script contains '</script' or '<!--'");
  }
  if (/<\/style/i.test(parts.css)) throw new Error("the stylesheet contains '</style'");
  const csp = contentSecurityPolicy(await sha256Source(parts.script));
  return pageHtml(csp, parts.css, parts.script);
}
