// Fixture: a dotted module name `pkg.app`.
export const app = (): Response => new Response("dotted pkg.app");
