// A container component (a function) that publishes until it leaves.
import type { ComponentFunction } from "../../../../lib/components/mod.ts";

export const ticker: ComponentFunction = (session, { extra }) => {
  let n = 0;
  const topic = (extra as { topic: string }).topic;
  const timer = setInterval(() => {
    session.publish(topic, [n++], { from: "container" });
  }, 20);
  return () => clearInterval(timer);
};
