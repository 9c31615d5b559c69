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
  type AgreementStats,
  type ArmStats,
  type CanaryCriteria,
  type CanaryDecision,
  DEFAULT_MAX_RELATIVE_ERROR,
  decideCanary,
  emptyAgreement,
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
  /** The candidate's outputs against the stable version's on the mirrored requests. */
  agreement: AgreementStats;
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

/** The other arm of a canary, to run a request on as well and compare (see `mirrorOf`). */
export interface Mirror {
  slot: VersionSlot;
  /** Which arm the mirror is. */
  arm: 'candidate' | 'stable';
  /** The canary's bound for rows that are not classifications. */
  maxRelativeError: number;
  /** Counts the comparison (rows that agreed of rows compared) for the canary it belongs to. */
  record(agreed: number, compared: number, worst?: string): void;
  /** Counts a request that could not be compared (the stable version failed on it). */
  skip(): void;
}

/** Mirrored requests computed at once per model; more are skipped (and counted), not queued. */
const MAX_MIRRORS_IN_FLIGHT = 4;

export class ServedModel {
  readonly slots = new Map<number, VersionSlot>();
  current: VersionSlot | undefined;
  /**
   * A version loaded beside the served one that takes no unversioned traffic (only requests for
   * its own version, such as the deploy's smoke test), until a swap or canary to it moves it in.
   */
  staged: VersionSlot | undefined;
  private canary: Canary | undefined;
  private mirrorsInFlight = 0;
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
      const slot = this.takeStaged(version, source) ?? (await this.loadSlot(version, source, load));
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

  /**
   * Loads `version` beside the served one without giving it any unversioned traffic, so that it
   * can be tested at `/versions/<n>` before it serves; replaces an earlier staged version.
   */
  stage(version: number, source: string, load: () => Promise<LoadedModel>): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.current?.version === version)
        throw new Error(`Version ${version} is already the served version.`);
      if (
        this.staged?.version === version &&
        this.staged.source === source &&
        this.staged.state === 'AVAILABLE'
      )
        return;
      this.dropStaged();
      this.staged = await this.loadSlot(version, source, load);
      this.log.info(
        `Model '${this.name}': version ${version} loaded ${this.current ? `beside version ${this.current.version}` : 'with no version serving'}, taking no traffic.`,
      );
    };
    const result = this.swapQueue.then(run, run);
    this.swapQueue = result.catch(() => {});
    return result;
  }

  /** Unloads the staged version, if it is `version` (a deploy whose tests it failed). */
  unstage(version: number): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      if (this.staged?.version !== version) return false;
      this.dropStaged();
      return true;
    };
    const result = this.swapQueue.then(run, run);
    this.swapQueue = result.catch(() => {});
    return result;
  }

  private dropStaged(): void {
    const staged = this.staged;
    this.staged = undefined;
    if (staged && staged !== this.current && staged !== this.canary?.slot) void staged.unload();
  }

  /** The staged slot when it is this version from this folder (then it moves in without a reload). */
  private takeStaged(version: number, source: string): VersionSlot | undefined {
    const staged = this.staged;
    if (staged?.version !== version || staged.source !== source || staged.state !== 'AVAILABLE') {
      this.dropStaged();
      return undefined;
    }
    this.staged = undefined;
    return staged;
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
      const slot = this.takeStaged(version, source) ?? (await this.loadSlot(version, source, load));
      const status: CanaryStatus = {
        candidate: version,
        stable: stable.version,
        criteria,
        startedAt: Date.now(),
        candidateStats: emptyArm(),
        stableStats: emptyArm(),
        agreement: emptyAgreement(),
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
    if (routed.arm === 'candidate') this.judge(canary);
  }

  /**
   * The other arm of the canary a request was answered by, acquired, to run the same request on
   * and compare outputs (the request is mirrored); undefined when no canary runs, or when enough
   * mirrors are already being computed (then the request is counted as skipped).
   */
  mirrorOf(routed: Routed): Mirror | undefined {
    const canary = this.canary;
    if (!canary || routed.arm === undefined) return undefined;
    if (routed.arm === 'candidate' && routed.slot !== canary.slot) return undefined;
    const agreement = canary.status.agreement;
    if (this.mirrorsInFlight >= MAX_MIRRORS_IN_FLIGHT) {
      agreement.skipped++;
      return undefined;
    }
    const slot = routed.arm === 'candidate' ? canary.stable : canary.slot;
    if (!slot.acquire()) {
      agreement.skipped++;
      return undefined;
    }
    this.mirrorsInFlight++;
    let done = false;
    const finish = () => {
      if (done) return false;
      done = true;
      this.mirrorsInFlight--;
      slot.release();
      return true;
    };
    return {
      slot,
      arm: routed.arm === 'candidate' ? 'stable' : 'candidate',
      maxRelativeError: canary.status.criteria.maxRelativeError ?? DEFAULT_MAX_RELATIVE_ERROR,
      record: (agreed, compared, worst) => {
        if (!finish()) return;
        agreement.compared += compared;
        agreement.agreed += agreed;
        if (worst !== undefined && agreed < compared && agreement.example === undefined)
          agreement.example = worst;
        if (this.canary === canary) this.judge(canary);
      },
      skip: () => {
        if (finish()) agreement.skipped++;
      },
    };
  }

  /** Checks the time bound of a canary that gets no traffic (called by a timer). */
  tick(): void {
    const canary = this.canary;
    if (canary) this.judge(canary);
  }

  private judge(canary: Canary): void {
    const decision = decideCanary(
      canary.status.candidateStats,
      canary.status.stableStats,
      canary.status.criteria,
      Date.now() - canary.status.startedAt,
      canary.status.agreement,
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
    this.staged = undefined;
    await Promise.all([...this.slots.values()].map((s) => s.unload()));
  }
}
