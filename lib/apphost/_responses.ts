/**
 * The host's own short plain-text answers (errors, overload): the node's
 * one error page (`lib/web/error_page.ts`).
 *
 * @module
 */

export { plainResponse } from "../web/error_page.ts";
