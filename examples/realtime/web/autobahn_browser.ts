/**
 * Entry point of the browser build of autobahn-js (see
 * `../bundle_autobahn.ts`): the page imports its default export.
 *
 * @module
 */
import "./require_shim.ts";
import autobahn from "autobahn";

export default autobahn;
