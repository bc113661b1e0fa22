// Fixture: a folder module resolved through mod.ts.
export const app = (): Response => new Response("folder mod.ts");
