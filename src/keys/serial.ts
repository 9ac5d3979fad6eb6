/**
 * Runs tasks one at a time. The event follower, the retry loop and the HTTP
 * rotation endpoint all change the same subscription records and send
 * transactions from the same provider key (one sequence number), so their
 * changes must never interleave.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
