/**
 * Realms, roles and permissions of a router worker (Crossbar §5.1, §5.2).
 *
 * @module
 */

import * as v from "valibot";
import {
  bool,
  byType,
  dict,
  expected,
  id,
  int,
  oneOf,
  str,
  strict,
  unsupported,
} from "./common.ts";

/**
 * Realm names: Crossbar's rule (a letter, then 2 to 254 of letters, digits,
 * `_`, `-`, `@`, `.`), widened to allow a leading digit as in Ethereum
 * address realms (`0x66…`).
 */
export const REALM_NAME_REGEXP = /^[A-Za-z0-9][A-Za-z0-9_\-@.]{2,254}$/;

const RealmNameSchema = v.pipe(
  str(),
  v.check(
    (s) => REALM_NAME_REGEXP.test(s),
    (issue) =>
      `invalid realm name ${
        JSON.stringify(issue.input)
      } (expected a letter or digit, then 2 to 254 letters, digits, "_", "-", "@" or ".")`,
  ),
);

const VERSION1_PERMISSION =
  'actions go inside "allow" in version 2 configs, e.g. "allow": {"call": true}';

const MatchSchema = oneOf(["exact", "prefix", "wildcard"]);

/** One permission of a role. */
export const PermissionSchema = strict(
  {
    /**
     * The URI (pattern). Without `match`, Crossbar's starred form applies:
     * no `*` is exact, one trailing `*` a prefix, other `*` a wildcard. The
     * router does that conversion; this schema keeps `uri` as written.
     */
    uri: str(),
    /** How `uri` matches; absent means "from the stars in `uri`". */
    match: v.exactOptional(MatchSchema),
    /** Allowed actions. @default all false */
    allow: v.optional(
      strict({
        call: v.optional(bool(), false),
        register: v.optional(bool(), false),
        publish: v.optional(bool(), false),
        subscribe: v.optional(bool(), false),
      }, "an object (allowed actions)"),
      {},
    ),
    /** Caller/publisher disclosure. @default both false */
    disclose: v.optional(
      strict({
        caller: v.optional(bool(), false),
        publisher: v.optional(bool(), false),
      }, "an object (disclosure settings)"),
      {},
    ),
    /** Whether the router may cache this decision. @default false */
    cache: v.optional(bool(), false),
    /** Payload validation type names per action (accepted, not enforced). */
    validate: v.exactOptional(dict(v.unknown())),
  },
  "an object (a permission)",
  {
    call: VERSION1_PERMISSION,
    register: VERSION1_PERMISSION,
    publish: VERSION1_PERMISSION,
    subscribe: VERSION1_PERMISSION,
  },
);

/** One role of a realm: static `permissions` or a dynamic `authorizer`. */
export const RoleSchema = v.pipe(
  strict({
    name: str(),
    id: v.exactOptional(id()),
    /** Static permissions; default deny for everything not listed. */
    permissions: v.exactOptional(
      v.array(PermissionSchema, expected("a list of permissions")),
    ),
    /** URI of a procedure that decides each action (dynamic authorization). */
    authorizer: v.exactOptional(str()),
    "allow-by-default": unsupported(
      '"allow-by-default" on a role is not supported yet (list the permissions)',
    ),
  }, "an object (a role)"),
  v.check(
    (role) => role.permissions === undefined || role.authorizer === undefined,
    `a role cannot have both "authorizer" and "permissions"`,
  ),
  v.transform((role) =>
    role.authorizer === undefined && role.permissions === undefined
      ? { ...role, permissions: [] }
      : role
  ),
);

/** Realm options. */
export const RealmOptionsSchema = strict({
  /** Serve the WAMP meta API (`wamp.session.*`, …). @default true */
  enable_meta_api: v.optional(bool(), true),
  /** Forward meta events over router links (accepted). @default false */
  bridge_meta_api: v.optional(bool(), false),
  /** URI checking. @default "strict" */
  uri_check: v.optional(oneOf(["strict", "loose"]), "strict"),
  /** Events sent per dispatch chunk. @default 100 */
  event_dispatching_chunk_size: v.optional(int(1), 100),
}, "an object (realm options)");

const HistoryEntrySchema = strict({
  uri: str(),
  match: v.exactOptional(MatchSchema),
  limit: v.exactOptional(int(0)),
}, "an object (a URI and a limit)");

/**
 * A realm store. Only the in-memory store is accepted; its `event-history`
 * entries tell the router which topics keep recent events (for
 * `wamp.subscription.get_events`), and `call-queue` is accepted as written.
 */
export const RealmStoreSchema = byType({
  memory: strict({
    type: v.literal("memory"),
    limit: v.exactOptional(int(0)),
    "event-history": v.optional(
      v.array(HistoryEntrySchema, expected("a list")),
      () => [],
    ),
    "call-queue": v.optional(
      v.array(HistoryEntrySchema, expected("a list")),
      () => [],
    ),
  }, "an object (a realm store)"),
}, { kind: "realm store", unsupported: ["lmdb", "cfxdb"] });

/** One realm of a router worker. */
export const RealmSchema = strict({
  /** The realm name clients join. */
  name: RealmNameSchema,
  id: v.exactOptional(id()),
  /** Roles; a session whose role is not listed is denied everything. */
  roles: v.optional(v.array(RoleSchema, expected("a list of roles")), () => []),
  options: v.optional(RealmOptionsSchema, {}),
  store: v.exactOptional(RealmStoreSchema),
  inventory: unsupported("realm inventories are not supported yet"),
  trace: unsupported("realm tracing is not supported yet"),
  rlinks: unsupported("router links (rlinks) are not supported yet"),
}, "an object (a realm)");
