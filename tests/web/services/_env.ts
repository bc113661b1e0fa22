/** Shared fixtures for the path service tests. */
import { fileURLToPath } from "node:url";
import { SILENT_LOGGER } from "../../../lib/log/logger.ts";
import type { ServiceEnv } from "../../../lib/web/services/service_env.ts";
import type { ServeContext } from "../../../lib/web/path_service.ts";

/** `tests/testdata` as an absolute path: the cbdir of the fixtures. */
export const TESTDATA = fileURLToPath(
  new URL("../../testdata", import.meta.url),
);

/** A quiet environment rooted at {@link TESTDATA} (or `cbdir`). */
export function testEnv(cbdir: string = TESTDATA): ServiceEnv {
  return { cbdir, logger: SILENT_LOGGER };
}

/** A context for calling `handle()` directly with an exact `rest`. */
export function directContext(rest: string, prefix = ""): ServeContext {
  return {
    prefix,
    rest,
    search: "",
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50000 },
    secure: false,
    signal: new AbortController().signal,
  };
}
