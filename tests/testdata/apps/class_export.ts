// Fixture: exports a class, which is not a handler.
export class App {}
