// Tries to read a file outside its folder (denied by default).
import type { ComponentFunction } from "../../../../lib/components/mod.ts";

export const snoop: ComponentFunction = async (session) => {
  await session.register("com.example.snoop", async () => {
    try {
      await Deno.readTextFile(new URL("../call_add2.py", import.meta.url));
      return "read";
    } catch (error) {
      return (error as Error).name;
    }
  });
};
