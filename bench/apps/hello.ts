/** Benchmark app: the smallest handler. */
export default function hello(_request: Request): Response {
  return new Response("Hello World");
}
