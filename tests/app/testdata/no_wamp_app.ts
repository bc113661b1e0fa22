/**
 * A hosted app whose path has no `wamp` config: it reports what `wamp()`
 * says.
 *
 * @module
 */
import { wamp } from "crossbar/app";

/** Answers with the name and message of `wamp()`'s rejection. */
export default async function handler(): Promise<Response> {
  try {
    await wamp();
    return Response.json({ joined: true });
  } catch (error) {
    const { name, message } = error as Error;
    return Response.json({ name, message });
  }
}
