/** wampy clients for over-the-wire tests (Deno's WebSocket, no reconnect). */
import { Wampy } from "wampy";

type WampyOptions = ConstructorParameters<typeof Wampy>[1];
// deno-lint-ignore no-import-prefix -- subpath of the mapped wampy package
import { MsgpackSerializer } from "npm:wampy@^8.0.2/MsgpackSerializer.js";
// deno-lint-ignore no-import-prefix -- subpath of the mapped wampy package
import { CborSerializer } from "npm:wampy@^8.0.2/CborSerializer.js";
import { within } from "./_wire_helpers.ts";

/** A wampy serializer. */
export type SerializerName = "json" | "msgpack" | "cbor";

function serializerOption(name: SerializerName) {
  if (name === "msgpack") return { serializer: new MsgpackSerializer() };
  if (name === "cbor") return { serializer: new CborSerializer() };
  return {};
}

/** Connects a wampy client; disposing it disconnects. */
export async function wampy(
  url: string,
  serializer: SerializerName,
  options: WampyOptions & object = {},
): Promise<Wampy & AsyncDisposable> {
  const client = new Wampy(url, {
    realm: "realm1",
    autoReconnect: false,
    ws: WebSocket,
    ...serializerOption(serializer),
    ...options,
  });
  await within(client.connect(), "wampy connect");
  return Object.assign(client, {
    [Symbol.asyncDispose]: async (): Promise<void> => {
      await within(client.disconnect(), "wampy disconnect");
    },
  });
}
