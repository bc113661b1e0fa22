// A router component written like an autobahn ApplicationSession.
import type {
  ComponentConfig,
  ComponentSession,
  JoinDetails,
} from "../../../../lib/components/mod.ts";

export class Backend {
  #config: ComponentConfig;

  constructor(config: ComponentConfig) {
    this.#config = config;
  }

  async onJoin(session: ComponentSession, details: JoinDetails) {
    const greeting = (this.#config.extra as { greeting: string }).greeting;
    await session.register(
      "com.example.add2",
      ([a, b]) => Number(a) + Number(b),
    );
    await session.register(
      "com.example.whoami",
      () => [greeting, details.authrole, this.#config.realm],
    );
  }
}

export function checkConfig(extra: unknown) {
  if (typeof (extra as { greeting?: unknown })?.greeting !== "string") {
    return 'extra.greeting must be a string';
  }
}
