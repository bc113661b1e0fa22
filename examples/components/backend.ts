/**
 * A router component, ported the way an autobahn `ApplicationSession`
 * reads: the class gets its config, `onJoin` registers and subscribes,
 * `onLeave` tidies up.
 */
// deno-lint-ignore-file no-console -- an example prints what it does
import type {
  ComponentConfig,
  ComponentSession,
  JoinDetails,
  LeaveDetails,
} from "../../lib/components/mod.ts";

export class Backend {
  #config: ComponentConfig;

  constructor(config: ComponentConfig) {
    this.#config = config;
  }

  async onJoin(session: ComponentSession, details: JoinDetails): Promise<void> {
    await session.register(
      "com.example.add2",
      ([x, y]) => Number(x) + Number(y),
    );
    await session.subscribe("com.example.tick", (args) => {
      if (Number(args[0]) % 10 === 0) {
        session.publish("com.example.heartbeat", [args[0]]);
      }
    });
    const extra = this.#config.extra as { greeting: string };
    await session.register(
      "com.example.greet",
      ([name]) =>
        `${extra.greeting}, ${String(name)} (from session ${details.session})`,
    );
  }

  onLeave(details: LeaveDetails): void {
    console.log(`backend left: ${details.reason}`);
  }
}

/** Run by `check`: rejects a config without a greeting. */
export function checkConfig(extra: unknown): string | undefined {
  return typeof (extra as { greeting?: unknown })?.greeting === "string"
    ? undefined
    : "extra.greeting must be a string";
}
