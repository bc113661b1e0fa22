/**
 * The `longpoll` path service: WAMP over HTTP long-polling (WAMP spec
 * "HTTP Longpoll Transport", Crossbar's `longpoll` path).
 *
 * @module
 */

import * as v from "valibot";
import { bool, id, int, str, strict } from "./common.ts";

/** Whole seconds, `0` allowed where it means "off". */
function wholeSeconds(): v.GenericSchema<number> {
  return int(0, 24 * 3600);
}

/** Long-poll options; defaults are Crossbar's. */
export const LongPollOptionsSchema = strict({
  /**
   * Seconds an idle `receive` is held before it is answered with 204
   * ("nothing yet, poll again"); 0 holds it until a message comes (as
   * Crossbar does). Keep it below autobahn-js's 12 s request timeout.
   * @default 10
   */
  request_timeout: v.optional(wholeSeconds(), 10),
  /**
   * Seconds without a send or receive after which the session is closed;
   * 0 never. @default 30
   */
  session_timeout: v.optional(wholeSeconds(), 30),
  /** Queue limit in bytes (accepted; not enforced, as in Crossbar). @default 131072 */
  queue_limit_bytes: v.optional(int(0), 131072),
  /** Queue limit in messages (accepted; not enforced, as in Crossbar). @default 100 */
  queue_limit_messages: v.optional(int(0), 100),
  /** Log every request at debug level. @default false */
  debug: v.optional(bool(), false),
  /** Fixed transport id for debugging (accepted; ids stay random). */
  debug_transport_id: v.exactOptional(str()),
}, "an object (longpoll options)");

/** The `longpoll` path service. */
export const LongPollServiceSchema = strict({
  type: v.literal("longpoll"),
  id: v.exactOptional(id()),
  options: v.optional(LongPollOptionsSchema, {}),
}, "an object (a longpoll service)");
