/** Benchmark app: about 1 ms of CPU work per request. */
export default function cpu(_request: Request): Response {
  const until = performance.now() + 1;
  let x = 0;
  while (performance.now() < until) x = (x * 31 + 7) % 1000003;
  return new Response(`work ${x}`);
}
