// Fixture app for worker supervision tests: fails to load while a file
// named "fail" sits next to it, can exit, throw, and hoard heap.
let failing = false;
try {
  Deno.statSync(new URL("./fail", import.meta.url));
  failing = true;
} catch {
  // not there: load normally
}
if (failing) throw new Error("the fail file is there");

const id = crypto.randomUUID();
const hoard: unknown[] = [];

export function app(request: Request): Response {
  const url = new URL(request.url);
  switch (url.pathname) {
    case "/exit":
      Deno.exit(3);
      break;
    case "/throw":
      throw new TypeError("supervised failure");
    case "/hoard":
      for (let i = 0; i < Number(url.searchParams.get("mb") ?? 1); i++) {
        hoard.push(new Array(128 * 1024).fill(i + 0.5));
      }
      break;
  }
  return new Response(id);
}
