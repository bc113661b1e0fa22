export class Failing {
  onJoin() {
    throw new Error("database not reachable");
  }
}
