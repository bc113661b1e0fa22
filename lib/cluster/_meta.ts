/**
 * The meta API for the whole cluster: session counts and lists,
 * registration and subscription lookups and their callee/subscriber lists
 * span every member. They replace the realm's own meta procedures of the
 * same names (the rest stay local).
 *
 * Ids: each member gives its own id to a registration or subscription, so
 * a (uri, match) pair held on several members has several ids. Lookups
 * answer with this member's id when it holds the pair, else another
 * member's; every id of the pair gives the same callee/subscriber list.
 *
 * @module
 */
import { WAMP_ERRORS, WampError } from "../wamp/errors.ts";
import type { Dict } from "../wamp/messages.ts";
import {
  readAuthroleFilter,
  readKillOptions,
  readLookupMatch,
  requireString,
} from "../wamp/meta_args.ts";
import type { Realm } from "../wamp/realm.ts";
import type { MatchPolicy } from "../wamp/uri.ts";
import { better, type Candidate, matches, same } from "./_match.ts";
import type { RealmView } from "./_view.ts";

/** What the cluster meta API needs from the realm link. */
export interface MetaSource {
  /** The other members' views. */
  views(): ReadonlyMap<string, RealmView>;
  /** Asks member `node` a meta query. */
  askMeta(node: string, what: string, args: unknown[]): Promise<unknown>;
}

interface Entry extends Candidate {
  readonly id: number;
  readonly created: string;
  readonly invoke?: string;
  readonly members: number[];
}

/**
 * Replaces `realm`'s session, registration and subscription meta
 * procedures with cluster-wide ones.
 *
 * @param realm The realm (with the meta API on).
 * @param source The realm link.
 */
export function installClusterMeta(realm: Realm, source: MetaSource): void {
  const dealer = realm.dealer;
  const sessionIds = (filter: Set<string> | undefined): number[] => {
    const ids: number[] = [];
    for (const s of realm.sessions.values()) {
      if (!s.hidden && (filter === undefined || filter.has(s.authrole))) {
        ids.push(s.id);
      }
    }
    for (const view of source.views().values()) {
      for (const [id, [, authrole]] of view.sessions) {
        if (filter === undefined || filter.has(authrole)) ids.push(id);
      }
    }
    return ids;
  };
  dealer.registerInternal(
    "wamp.session.count",
    (_, args) => sessionIds(readAuthroleFilter(args)).length,
  );
  dealer.registerInternal(
    "wamp.session.list",
    (_, args) => sessionIds(readAuthroleFilter(args)),
  );
  dealer.registerInternal("wamp.session.get", async (_, args) => {
    const id = args[0];
    const local = typeof id === "number" ? realm.sessions.get(id) : undefined;
    if (local !== undefined && !local.hidden) return local.details();
    for (const [node, view] of source.views()) {
      if (typeof id === "number" && view.sessions.has(id)) {
        const details = await source.askMeta(node, "session.get", [id]);
        if (details !== null) return details;
      }
    }
    throw new WampError(WAMP_ERRORS.NO_SUCH_SESSION, [
      `No session with id ${JSON.stringify(id)} exists on this realm`,
    ]);
  });
  installKills(realm, source);
  installLookups(realm, source, "registration");
  installLookups(realm, source, "subscription");
}

/**
 * `wamp.session.kill*` over the cluster: sessions here are ended here, the
 * others by the member that holds them (the caller itself is spared).
 */
function installKills(realm: Realm, source: MetaSource): void {
  const dealer = realm.dealer;
  const killWhere = async (
    caller: { id: number },
    field: string,
    value: unknown,
    kwargs: Dict,
  ): Promise<number[]> => {
    const { reason, message = null } = readKillOptions(kwargs);
    const killed: number[] = [];
    for (const s of [...realm.sessions.values()]) {
      if (s.hidden || s.id === caller.id) continue;
      const hit = field === "all" || (field === "session" && s.id === value) ||
        (field === "authid" && s.authid === value) ||
        (field === "authrole" && s.authrole === value);
      if (!hit) continue;
      if (message === null) s.shutdown(reason);
      else s.shutdown(reason, message);
      killed.push(s.id);
    }
    for (const [node, view] of source.views()) {
      const holds = [...view.sessions].some(([id, [authid, authrole]]) =>
        id !== caller.id && (field === "all" ||
          (field === "session" && id === value) ||
          (field === "authid" && authid === value) ||
          (field === "authrole" && authrole === value))
      );
      if (!holds) continue;
      const ids = await source.askMeta(node, "session.kill", [
        field,
        value,
        reason,
        message,
      ]);
      if (Array.isArray(ids)) killed.push(...ids as number[]);
    }
    return killed;
  };
  dealer.registerInternal("wamp.session.kill", async (caller, args, kwargs) => {
    const id = args[0];
    if (typeof id !== "number" || !Number.isInteger(id)) {
      throw new WampError(WAMP_ERRORS.INVALID_ARGUMENT, [
        "session must be an integer id",
      ]);
    }
    const killed = await killWhere(caller, "session", id, kwargs);
    if (killed.length === 0) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_SESSION, [
        `No other session with id ${id} exists on this realm`,
      ]);
    }
    return undefined;
  });
  dealer.registerInternal(
    "wamp.session.kill_by_authid",
    (caller, args, kwargs) =>
      killWhere(caller, "authid", requireString(args[0], "authid"), kwargs),
  );
  dealer.registerInternal(
    "wamp.session.kill_by_authrole",
    async (caller, args, kwargs) =>
      (await killWhere(
        caller,
        "authrole",
        requireString(args[0], "authrole"),
        kwargs,
      ))
        .length,
  );
  dealer.registerInternal(
    "wamp.session.kill_all",
    async (caller, _args, kwargs) =>
      (await killWhere(caller, "all", undefined, kwargs)).length,
  );
}

/** Every entry of the (uri, match) pairs of one kind, cluster-wide. */
function entries(
  realm: Realm,
  source: MetaSource,
  kind: "registration" | "subscription",
): Entry[] {
  const result: Entry[] = [];
  const add = (entry: Entry) => {
    const known = result.find((e) => same(e, entry));
    if (known === undefined) {
      result.push({ ...entry, members: [...entry.members] });
    } else known.members.push(...entry.members);
  };
  if (kind === "registration") {
    const lists = realm.dealer.list();
    for (const id of [...lists.exact, ...lists.prefix, ...lists.wildcard]) {
      const r = realm.dealer.getRegistration(id);
      add({ ...r, members: r.callees.map((s) => s.id) });
    }
    for (const view of source.views().values()) {
      for (const r of view.registrations.values()) {
        add({
          ...r,
          created: new Date(r.created).toISOString(),
          members: r.callees,
        });
      }
    }
  } else {
    const lists = realm.broker.list();
    for (const id of [...lists.exact, ...lists.prefix, ...lists.wildcard]) {
      const s = realm.broker.getSubscription(id);
      const members = [...s.subscribers].filter((x) => !x.hidden).map((x) =>
        x.id
      );
      add({ ...s, members });
    }
    for (const view of source.views().values()) {
      for (const s of view.subscriptions.values()) {
        add({ ...s, created: "", members: [...s.subscribers] });
      }
    }
  }
  return result;
}

/** The entry whose pair has id `id` on any member. */
function byId(
  realm: Realm,
  source: MetaSource,
  kind: "registration" | "subscription",
  id: unknown,
): Entry {
  let pair: Candidate | undefined;
  if (kind === "registration") {
    pair = (() => {
      try {
        return realm.dealer.getRegistration(id);
      } catch {
        return undefined;
      }
    })();
    for (const view of source.views().values()) {
      pair ??= typeof id === "number" ? view.registrations.get(id) : undefined;
    }
  } else {
    pair = (() => {
      try {
        return realm.broker.getSubscription(id);
      } catch {
        return undefined;
      }
    })();
    for (const view of source.views().values()) {
      pair ??= typeof id === "number" ? view.subscriptions.get(id) : undefined;
    }
  }
  const entry = pair &&
    entries(realm, source, kind).find((e) => same(e, pair));
  if (entry === undefined) {
    throw new WampError(
      kind === "registration"
        ? WAMP_ERRORS.NO_SUCH_REGISTRATION
        : WAMP_ERRORS.NO_SUCH_SUBSCRIPTION,
      [`No ${kind} with id ${JSON.stringify(id)} exists on this realm`],
    );
  }
  return entry;
}

function installLookups(
  realm: Realm,
  source: MetaSource,
  kind: "registration" | "subscription",
): void {
  const p = `wamp.${kind}.`;
  const members = kind === "registration" ? "callees" : "subscribers";
  const dealer = realm.dealer;
  dealer.registerInternal(p + "list", () => {
    const lists: Record<MatchPolicy, number[]> = {
      exact: [],
      prefix: [],
      wildcard: [],
    };
    for (const e of entries(realm, source, kind)) lists[e.match].push(e.id);
    return lists;
  });
  dealer.registerInternal(p + "lookup", (_, args) => {
    const uri = requireString(
      args[0],
      kind === "registration" ? "procedure" : "topic",
    );
    const match = readLookupMatch(args[1]);
    return entries(realm, source, kind).find((e) =>
      e.uri === uri && e.match === match
    )?.id ?? null;
  });
  dealer.registerInternal(p + "match", (_, args) => {
    const uri = requireString(
      args[0],
      kind === "registration" ? "procedure" : "topic",
    );
    const parts = uri.split(".");
    const hits = entries(realm, source, kind).filter((e) =>
      matches(e, uri, parts)
    );
    if (kind === "subscription") {
      return hits.length > 0 ? hits.map((e) => e.id) : null;
    }
    let best: Entry | undefined;
    for (const e of hits) if (best === undefined || better(e, best)) best = e;
    return best?.id ?? null;
  });
  dealer.registerInternal(p + "get", (_, args) => {
    const e = byId(realm, source, kind, args[0]);
    const details: Dict = {
      id: e.id,
      created: e.created,
      uri: e.uri,
      match: e.match,
    };
    if (e.invoke !== undefined) details.invoke = e.invoke;
    return details;
  });
  dealer.registerInternal(
    `${p}list_${members}`,
    (_, args) => byId(realm, source, kind, args[0]).members,
  );
  dealer.registerInternal(
    `${p}count_${members}`,
    (_, args) => byId(realm, source, kind, args[0]).members.length,
  );
}
