// Fixture: does not parse.
export const app = (: Response => ;
