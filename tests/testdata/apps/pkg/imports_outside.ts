// Fixture: imports a module outside its own folder (needs a read grant).
import fetchObject from "../fetch_object.ts";

export const app = (request: Request): Response => fetchObject.fetch(request);
