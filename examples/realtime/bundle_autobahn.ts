/**
 * Builds autobahn-js for the browser into `web/vendor/autobahn.js` (there
 * is no CDN here, and the npm package ships no browser build). Run it once
 * before starting the example:
 *
 * ```sh
 * deno run -A examples/realtime/bundle_autobahn.ts
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** Where the bundle goes. */
export const AUTOBAHN_BUNDLE: string = fileURLToPath(
  new URL("./web/vendor/autobahn.js", import.meta.url),
);

/**
 * Bundles autobahn-js with `deno bundle` unless the bundle exists.
 *
 * @param options `force` rebuilds an existing bundle.
 * @returns The bundle's path.
 * @throws {Error} When `deno bundle` fails (its output is in the message).
 */
export async function bundleAutobahn(
  options: { force?: boolean } = {},
): Promise<string> {
  if (!options.force) {
    try {
      await Deno.stat(AUTOBAHN_BUNDLE);
      return AUTOBAHN_BUNDLE;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  const entry = fileURLToPath(
    new URL("./web/autobahn_browser.ts", import.meta.url),
  );
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--minify",
      // Binary serializers need Node streams; the page speaks JSON.
      "--external",
      "msgpack5",
      "--external",
      "cbor",
      "--output",
      AUTOBAHN_BUNDLE,
      entry,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    const text = new TextDecoder().decode(output.stderr);
    throw new Error(`Cannot bundle autobahn-js for the browser: ${text}`);
  }
  return AUTOBAHN_BUNDLE;
}

if (import.meta.main) {
  const path = await bundleAutobahn({ force: true });
  // deno-lint-ignore no-console
  console.log(`Wrote ${path}`);
}
