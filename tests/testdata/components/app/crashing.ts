// Registers a procedure that crashes the component's worker on request.
import type { ComponentFunction } from "../../../../lib/components/mod.ts";

export const crashing: ComponentFunction = async (session) => {
  await session.register("com.example.crash", () => {
    setTimeout(() => {
      throw new Error("boom from the component");
    });
    return "crashing";
  });
};
