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

/**
 * One Serial per key (a subscription id): tasks for the same key run one at a
 * time, tasks for different keys do not wait for each other. Idle keys are
 * forgotten.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
