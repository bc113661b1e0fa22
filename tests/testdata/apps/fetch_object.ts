// Fixture: `export default { fetch }`.
export default {
  fetch(request: Request): Response {
    return new Response(`fetch object saw ${new URL(request.url).pathname}`);
  },
};
