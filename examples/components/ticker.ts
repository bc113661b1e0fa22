/** A container component: a function that publishes a counter. */
import type {
  ComponentCleanup,
  ComponentFunction,
  ComponentSession,
} from "../../lib/components/mod.ts";

export const ticker: ComponentFunction = (
  session: ComponentSession,
): ComponentCleanup => {
  let n = 0;
  const timer = setInterval(
    () => session.publish("com.example.tick", [n++]),
    1000,
  );
  return () => clearInterval(timer);
};
