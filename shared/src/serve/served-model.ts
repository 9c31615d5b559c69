/**
 * The versions of one model a server holds, with TF Serving's version states
 * (LOADING -> AVAILABLE -> UNLOADING -> END), the pointer that unversioned requests follow, and
 * an optional canary.
 *
 * Hot swap: the new version is loaded beside the old one; only when it is AVAILABLE does the
 * pointer move. A request holds its version from routing to reply (`acquire`/`release`), so the
 * old version is disposed only after its last in-flight request has answered: none is dropped.
 */
import type { Log } from '../logging/index.js';
import {
  type ArmStats,
  type CanaryCriteria,
  type CanaryDecision,
  decideCanary,
  emptyArm,
  TrafficSplitter,
} from './canary.js';
import type { LoadedModel } from './loaded-model.js';

export type VersionState = 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END';

/** Keeps this many latencies per canary arm; enough for a p99 without growing without bound. */
const MAX_LATENCY_SAMPLES = 10_000;

export class VersionSlot {
  state: VersionState = 'LOADING';
  model: LoadedModel | undefined;
  /** Why loading failed (state END with an error). */
  error: string | undefined;
  private inFlight = 0;
  private idle: (() => void) | undefined;

  constructor(
    readonly version: number,
    /** Where the files came from, for the admin status. */
    readonly source: string,
  ) {}

  /** Counts a request against this version; false when it no longer takes requests. */
  acquire(): boolean {
    if (this.state !== 'AVAILABLE' || this.model === undefined) return false;
    this.inFlight++;
    return true;
  }

  release(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.idle) this.idle();
  }

  get activeRequests(): number {
    return this.inFlight;
  }

  /** Stops taking new requests, waits for the ones in flight, then frees the model. */
  async unload(): Promise<void> {
    if (this.state === 'END') return;
    this.state = 'UNLOADING';
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.model?.dispose();
    this.model = undefined;
    this.state = 'END';
  }
}

export interface CanaryStatus {
  candidate: number;
  stable: number;
  criteria: CanaryCriteria;
  startedAt: number;
  candidateStats: ArmStats;
  stableStats: ArmStats;
  /** Set once decided. */
  decision?: Exclude<CanaryDecision, { action: 'continue' }>;
}

interface Canary {
  slot: VersionSlot;
  stable: VersionSlot;
  splitter: TrafficSplitter;
  status: CanaryStatus;
}

export interface Routed {
  slot: VersionSlot;
  /** Which canary arm the request counts for, if a canary runs. */
  arm?: 'candidate' | 'stable';
}

export class ServedModel {
  readonly slots = new Map<number, VersionSlot>();
  current: VersionSlot | undefined;
  private canary: Canary | undefined;
  /** The last canary's outcome, kept for the admin status after it ends. */
  lastCanary: CanaryStatus | undefined;
  private swapQueue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly log: Log,
  ) {}

  /** Versions as `GET /v1/models/<m>` lists them: newest first, as TF Serving does. */
  statuses(): { version: number; state: VersionState; error?: string }[] {
    return [...this.slots.values()]
      .sort((a, b) => b.version - a.version)
      .map((s) => ({ version: s.version, state: s.state, ...(s.error ? { error: s.error } : {}) }));
  }

  /**
   * Loads `version` and makes it the served one; the previous version drains and unloads.
   * Swaps run one at a time. Reloading the served version is a no-op.
   */
  swapTo(version: number, source: string, load: () => Promise<LoadedModel>): Promise<{ previous?: number }> {
    const run = async (): Promise<{ previous?: number }> => {
      if (this.current?.version === version && this.current.state === 'AVAILABLE')
        return { previous: version };
      if (this.canary)
        this.endCanary({ action: 'rollback', reason: `superseded by a swap to version ${version}` });
      const slot = await this.loadSlot(version, source, load);
      const previous = this.current;
      this.current = slot;
      this.log.info(
        `Model '${this.name}' now serves version ${version}${previous ? ` (was ${previous.version})` : ''}.`,
      );
      if (previous && previous !== slot) void previous.unload();
      return previous ? { previous: previous.version } : {};
    };
    const result = this.swapQueue.then(run, run);
    this.swapQueue = result.catch(() => {});
    return result;
  }

  private async loadSlot(
    version: number,
    source: string,
    load: () => Promise<LoadedModel>,
  ): Promise<VersionSlot> {
    const slot = new VersionSlot(version, source);
    const existing = this.slots.get(version);
    if (existing && existing !== this.current) await existing.unload();
    this.slots.set(version, slot);
    try {
      slot.model = await load();
    } catch (error) {
      slot.state = 'END';
      slot.error = (error as Error).message;
      // The served version is untouched: a failed load never takes traffic.
      if (existing && existing === this.current) this.slots.set(version, existing);
      throw error;
    }
    slot.state = 'AVAILABLE';
    return slot;
  }

  /** Loads a candidate and starts sending it `criteria.percent` of unversioned traffic. */
  startCanary(
    version: number,
    source: string,
    load: () => Promise<LoadedModel>,
    criteria: CanaryCriteria,
  ): Promise<CanaryStatus> {
    const run = async (): Promise<CanaryStatus> => {
      const stable = this.current;
      if (stable === undefined)
        throw new Error(`Model '${this.name}' serves no version to compare a canary with.`);
      if (stable.version === version) throw new Error(`Version ${version} is already the served version.`);
      if (this.canary)
        this.endCanary({ action: 'rollback', reason: `replaced by a canary of version ${version}` });
      const slot = await this.loadSlot(version, source, load);
      const status: CanaryStatus = {
        candidate: version,
        stable: stable.version,
        criteria,
        startedAt: Date.now(),
        candidateStats: emptyArm(),
        stableStats: emptyArm(),
      };
      this.canary = { slot, stable, splitter: new TrafficSplitter(criteria.percent), status };
      this.log.info(
        `Model '${this.name}': canary of version ${version} takes ${criteria.percent}% of traffic.`,
      );
      return status;
    };
    const result = this.swapQueue.then(run, run);
    this.swapQueue = result.catch(() => {});
    return result;
  }

  canaryStatus(): CanaryStatus | undefined {
    return this.canary?.status ?? this.lastCanary;
  }

  /** Picks the version for an unversioned request and counts it as in flight. */
  route(): Routed | undefined {
    const canary = this.canary;
    if (canary?.splitter.toCandidate() && canary.slot.acquire())
      return { slot: canary.slot, arm: 'candidate' };
    const slot = this.current;
    if (slot?.acquire()) return canary ? { slot, arm: 'stable' } : { slot };
    return undefined;
  }

  /** A request for one version: only AVAILABLE versions answer. */
  routeVersion(version: number): Routed | undefined {
    const slot = this.slots.get(version);
    return slot?.acquire() ? { slot } : undefined;
  }

  /** Records a finished canary-arm request and acts on the decision it leads to. */
  observe(routed: Routed, latencyMs: number, serverError: boolean): void {
    const canary = this.canary;
    if (!canary || routed.arm === undefined) return;
    if (routed.arm === 'candidate' && routed.slot !== canary.slot) return;
    const stats = routed.arm === 'candidate' ? canary.status.candidateStats : canary.status.stableStats;
    stats.requests++;
    if (serverError) stats.errors++;
    if (stats.latenciesMs.length < MAX_LATENCY_SAMPLES) stats.latenciesMs.push(latencyMs);
    if (routed.arm !== 'candidate') return;
    const decision = decideCanary(
      canary.status.candidateStats,
      canary.status.stableStats,
      canary.status.criteria,
      Date.now() - canary.status.startedAt,
    );
    if (decision.action !== 'continue') this.endCanary(decision);
  }

  /** Checks the time bound of a canary that gets no traffic (called by a timer). */
  tick(): void {
    const canary = this.canary;
    if (!canary) return;
    const decision = decideCanary(
      canary.status.candidateStats,
      canary.status.stableStats,
      canary.status.criteria,
      Date.now() - canary.status.startedAt,
    );
    if (decision.action !== 'continue') this.endCanary(decision);
  }

  private endCanary(decision: Exclude<CanaryDecision, { action: 'continue' }>): void {
    const canary = this.canary;
    if (!canary) return;
    this.canary = undefined;
    canary.status.decision = decision;
    this.lastCanary = canary.status;
    if (decision.action === 'promote') {
      const previous = this.current;
      this.current = canary.slot;
      this.log.info(
        `Model '${this.name}': canary version ${canary.slot.version} promoted (${decision.reason}).`,
      );
      if (previous && previous !== canary.slot) void previous.unload();
    } else {
      this.log.warning(
        `Model '${this.name}': canary version ${canary.slot.version} rolled back (${decision.reason}).`,
      );
      void canary.slot.unload();
    }
  }

  /** Unloads everything (server shutdown), after in-flight requests answer. */
  async close(): Promise<void> {
    this.canary = undefined;
    await Promise.all([...this.slots.values()].map((s) => s.unload()));
  }
}
