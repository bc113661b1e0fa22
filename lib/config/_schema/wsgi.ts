/**
 * The `wsgi` path service: a web app module hosted on a worker pool.
 * Crossbar's `module`/`object`/`minthreads`/`maxthreads` plus our
 * extensions for pool limits, Deno permissions and WAMP access.
 *
 * @module
 */

import * as v from "valibot";
import {
  bool,
  expected,
  id,
  int,
  seconds,
  str,
  strict,
  strList,
  text,
} from "./common.ts";

/** The default for `maxthreads` when it is not given (at least `minthreads`). */
export const DEFAULT_MAX_THREADS = 2;

/** The default heap limit of an app worker (`max_memory`), in MiB. */
export const DEFAULT_MAX_MEMORY_MB = 512;

/** The default `timeout` of a wsgi request in seconds (gunicorn's `--timeout`). */
export const DEFAULT_WSGI_TIMEOUT_S = 30;

/** The default `load_timeout` of a wsgi app in seconds. */
export const DEFAULT_LOAD_TIMEOUT_S = 30;

/** A Deno permission: a list of allowed values, or all (`true`) or none. */
function listOrAll(): v.GenericSchema<string[] | boolean> {
  return v.union(
    [strList(), bool()],
    expected("a list of strings, true or false"),
  );
}

/**
 * Deno permissions for the app's workers. By default the app may read its
 * own module files only. **Security:** each grant widens what the hosted
 * code can do; `true` grants everything of that kind.
 */
export const WsgiPermissionsSchema = strict({
  /** Extra paths the app may read (relative to the node directory). */
  read: v.optional(strList(), () => []),
  /** Paths the app may write (relative to the node directory). */
  write: v.optional(strList(), () => []),
  /** Hosts (`host[:port]`) the app may reach, or `true` for any. */
  net: v.optional(listOrAll(), false),
  /** Environment variables the app may read, or `true` for all. */
  env: v.optional(listOrAll(), false),
  /** Programs the app may run, or `true` for any. */
  run: v.optional(listOrAll(), false),
  /** Native libraries the app may load, or `true` for any. */
  ffi: v.optional(listOrAll(), false),
  /** System information the app may read, or `true` for all. */
  sys: v.optional(listOrAll(), false),
}, "an object (Deno permissions)");

/** WAMP access for an app: the session the app's calls run under. */
export const WsgiWampSchema = strict({
  /** Realm to join; must be a realm of the same router worker. */
  realm: str(),
  /** Role of the app's session. */
  role: str(),
  /** authid of the app's session; default: derived from the service. */
  authid: v.exactOptional(str()),
}, "an object (WAMP access)");

const WsgiEntries = {
  type: v.literal("wsgi"),
  id: v.exactOptional(id()),
  /** App module specifier, resolved against the worker's `pythonpath` roots. */
  module: text(),
  /** Export name of the handler (`"default"` for the default export). */
  object: text(),
  /**
   * Workers started up front. Crossbar's thread-pool minimum (default 0)
   * maps to Deno workers, so at least one is always started.
   * @default 1
   */
  minthreads: v.exactOptional(int(0)),
  /**
   * Most workers the pool grows to under load. Crossbar's default of 20
   * threads would be 20 isolates here, so ours is 2 (or `minthreads` when
   * that is larger).
   * @default 2
   */
  maxthreads: v.exactOptional(int(1)),
  /** Fixed pool size; sets both bounds. Not with `minthreads`/`maxthreads`. */
  workers: v.exactOptional(int(1)),
  /**
   * Seconds a worker may take to answer a request (from when it got it,
   * until the response head) before the request gets 504 and the worker is
   * replaced, for TypeScript and Python apps alike. Crossbar has no limit;
   * ours follows gunicorn's default, so that one stuck request cannot hold
   * a worker forever.
   * @default 30 (`DEFAULT_WSGI_TIMEOUT_S`)
   */
  timeout: v.optional(seconds(), DEFAULT_WSGI_TIMEOUT_S),
  /** Requests waiting for a free worker before 503. @default 1024 */
  "max_queue": v.optional(int(0), 1024),
  /** Requests one worker serves at once before others queue. @default 64 */
  concurrency: v.optional(int(1), 64),
  /** Seconds an extra worker (above `minthreads`) may idle before it stops. @default 60 */
  "idle_timeout": v.optional(seconds(), 60),
  /**
   * Seconds the app's module may take to load before start fails.
   * @default 30 (`DEFAULT_LOAD_TIMEOUT_S`)
   */
  "load_timeout": v.optional(seconds(), DEFAULT_LOAD_TIMEOUT_S),
  /** Largest request body in bytes before 413. Absent: no limit. */
  "max_body_size": v.exactOptional(int(0)),
  /** Replace a worker after it has served this many requests. */
  "max_requests": v.exactOptional(int(1)),
  /**
   * Heap limit of each app worker in MiB. An app that exceeds it loses only
   * its worker: its requests get 502 and the worker is replaced.
   * @default 512 (`DEFAULT_MAX_MEMORY_MB`)
   */
  "max_memory": v.optional(int(16), DEFAULT_MAX_MEMORY_MB),
  /**
   * Recycle a worker gracefully once its heap exceeds this many MiB: a
   * replacement starts first and takes over when ready. Absent: never.
   */
  "recycle_memory": v.exactOptional(int(1)),
  /** Deno permissions of the app's workers. @default none beyond its files */
  permissions: v.optional(WsgiPermissionsSchema, {}),
  /** WAMP access for the app; absent: the app cannot talk WAMP. */
  wamp: v.exactOptional(WsgiWampSchema),
};

/** The `wsgi` path service. */
export const WsgiServiceSchema = v.pipe(
  strict(WsgiEntries, "an object (a wsgi service)"),
  v.check(
    (s) =>
      s.workers === undefined ||
      (s.minthreads === undefined && s.maxthreads === undefined),
    `"workers" (a fixed pool size) cannot be combined with "minthreads" or "maxthreads"`,
  ),
  v.check(
    (s) =>
      s.minthreads === undefined || s.maxthreads === undefined ||
      s.minthreads <= s.maxthreads,
    `"minthreads" must not exceed "maxthreads"`,
  ),
  v.transform((s) => {
    const min = s.workers ?? Math.max(1, s.minthreads ?? 1);
    const max = s.workers ?? s.maxthreads ?? Math.max(DEFAULT_MAX_THREADS, min);
    return { ...s, minthreads: min, maxthreads: max };
  }),
);
