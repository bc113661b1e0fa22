/**
 * The nesting limit of bridge bodies: a JSON body nested deeper than a WAMP
 * message may be (`MAX_DEPTH` of the codecs) could never be delivered, so it
 * is refused with 400 before anything is published or called.
 *
 * @module
 */
import { MAX_DEPTH } from "../wamp/codecs/_values.ts";

export { nestsDeeperThan } from "../config/json_depth.ts";

/** Deepest nesting of a bridge body (the body object itself is 1). */
export const MAX_BODY_DEPTH: number = MAX_DEPTH;
