/**
 * `deno task web`: builds the page and serves it on 127.0.0.1 for local use.
 * `--port N` (or the `PORT` environment variable) picks the port; the default
 * is 8000, and 0 picks a free one.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseInteger } from "../cli/options.ts";
import { buildPage, PAGE_PATH } from "./build.ts";

/** The default port of `deno task web`. */
const DEFAULT_PORT = 8000;

/** A request handler answering `/` and `/denact.html` with the page, 404 otherwise. */
export function pageHandler(page: Uint8Array): (request: Request) => Response {
  return (request) => {
    const { pathname } = new URL(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    if (pathname !== "/" && pathname !== "/denact.html" && pathname !== "/index.html") {
      return new Response("not found\n", { status: 404 });
    }
    return new Response(request.method === "HEAD" ? null : page.slice(), {
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  };
}

/** Serves `page` on 127.0.0.1:`port` until the process ends. */
function servePage(page: Uint8Array, port: number): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    {
      hostname: "127.0.0.1",
      port,
      onListen: ({ port }) => console.log(`denact is on http://127.0.0.1:${port}/`),
    },
    pageHandler(page),
  );
}

/** Reads the port from `--port N` / `-p N` or `PORT`; throws `RangeError` with the reason. */
export function portFromArgs(args: string[], env: string | undefined): number {
  let raw: string | undefined;
  try {
    const { values } = parseArgs({ args, options: { port: { type: "string", short: "p" } } });
    raw = values.port ?? env;
  } catch (error) {
    throw new RangeError(error instanceof Error ? error.message : String(error));
  }
  if (raw === undefined) return DEFAULT_PORT;
  try {
    return parseInteger(raw, 0, 65_535);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RangeError(`invalid value '${raw}' for '--port <PORT>': ${reason}`);
  }
}

if (import.meta.main) {
  let port = DEFAULT_PORT;
  try {
    port = portFromArgs(Deno.args, Deno.env.get("PORT"));
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(2);
  }
  await buildPage();
  servePage(await Deno.readFile(PAGE_PATH), port);
}
