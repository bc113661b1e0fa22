/**
 * The installed command (`deno task install`): runs the node in the user's
 * project with the project's own imports (`lib/launcher/`).
 *
 * @module
 */
import { launch } from "./lib/launcher/mod.ts";

if (import.meta.main) {
  Deno.exit(await launch(Deno.args));
}
