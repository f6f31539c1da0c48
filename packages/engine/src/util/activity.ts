/**
 * Counts work in flight (HTTP requests, queued deliveries, call events being handled), so the
 * virtual clock can tell when the engine is idle. Cheap enough to leave on in production.
 */
export class Activity {
  private count = 0;

  get idle(): boolean {
    return this.count === 0;
  }

  /** Marks one unit of work as started; call the returned function once when it ends. */
  begin(): () => void {
    this.count++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.count--;
    };
  }

  /** Holds the engine busy until `work` settles. */
  async track<T>(work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const end = this.begin();
    try {
      return await (typeof work === 'function' ? work() : work);
    } finally {
      end();
    }
  }
}
