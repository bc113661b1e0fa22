/**
 * Guest workers (`"type": "guest"`): programs the node starts, logs,
 * optionally restarts, and stops with it.
 *
 * @example A Python WAMP component as a guest worker
 * ```jsonc
 * { "type": "guest", "executable": "/usr/bin/python3",
 *   "arguments": ["client.py"], "options": { "workdir": ".." } }
 * ```
 *
 * @module
 */
export {
  type GuestEnv,
  GuestProcess,
  GuestStartError,
  startGuest,
} from "./guest_process.ts";
