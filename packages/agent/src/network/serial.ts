// Runs async operations one at a time, in call order: the driver's records and the kernel state they
// describe change together, so two operations must not interleave.
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(op: () => Promise<T>): Promise<T> {
    const result = this.tail.then(op, op);
    this.tail = result.catch(() => {});
    return result;
  }
}
