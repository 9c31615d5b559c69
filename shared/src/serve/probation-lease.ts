/**
 * A dead man's switch for what a deploy has just put in place: a server it started, or a version
 * it swapped into a running server. The deploy renews the lease while it smoke-tests and confirms
 * once it has decided to keep it; if the deploy dies first (the job cancelled, the runner killed),
 * nobody renews, the lease runs out and `onExpire` undoes the change (the server stops itself, or
 * swaps the previous version back), instead of serving a version nobody vetted.
 */
export class ProbationLease {
  private timer: NodeJS.Timeout | undefined;
  private confirmed = false;

  constructor(
    private readonly ms: number,
    private readonly onExpire: () => void,
  ) {
    this.arm();
  }

  /** Extends the probation by the lease's length; false once confirmed (there is nothing to renew). */
  renew(): boolean {
    if (this.confirmed) return false;
    this.arm();
    return true;
  }

  /** Ends the probation: the server stays up. */
  confirm(): void {
    this.confirmed = true;
    clearTimeout(this.timer);
  }

  get state(): 'probation' | 'confirmed' {
    return this.confirmed ? 'confirmed' : 'probation';
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onExpire, this.ms);
  }
}
