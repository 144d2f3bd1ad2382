/**
 * Background work of roster imports (checking an uploaded file, writing confirmed rows), run in this
 * process after the request that started it has answered. Closing the app aborts the jobs and waits
 * for them: each notices at its next row or batch and leaves its import 'failed' (reason
 * 'interrupted'), never half-checked.
 */
export class ImportJobs {
  private readonly running = new Set<Promise<void>>();
  private readonly controller = new AbortController();

  /** Start `work`; its own errors are its business (it records them on the import). */
  start(work: (signal: AbortSignal) => Promise<void>): void {
    const job: Promise<void> = work(this.controller.signal)
      .catch(() => {})
      .finally(() => this.running.delete(job));
    this.running.add(job);
  }

  /** Resolves when no job is running (tests and the benchmark wait on it). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.idle();
  }
}
