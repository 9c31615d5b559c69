/**
 * Successive halving as ASHA applies it, in one job: rungs sit at epochs minEpochs * eta^k. When a
 * trial reaches a rung, its validation metric there is ranked among every value recorded at that
 * rung so far (its own included, n values); it goes on only when it is among the best ceil(n / eta).
 * The first trial always goes on; later ones must beat the record of those before them.
 */
export class SuccessiveHalving {
  private readonly rungValues = new Map<number, number[]>();

  constructor(
    private readonly options: { minEpochs: number; reductionFactor: number; direction: 'higher' | 'lower' },
  ) {}

  /** Is `epoch` a rung? */
  isRung(epoch: number): boolean {
    let rung = this.options.minEpochs;
    while (rung < epoch) rung *= this.options.reductionFactor;
    return rung === epoch;
  }

  /**
   * Records a trial's metric at the end of `epoch` and says whether it stops there: undefined to
   * go on, else the reason. A value that is not a finite number stops the trial.
   */
  report(epoch: number, value: number): string | undefined {
    if (!this.isRung(epoch)) return undefined;
    const values = this.rungValues.get(epoch) ?? [];
    const score = Number.isFinite(value) ? value : this.options.direction === 'higher' ? -Infinity : Infinity;
    values.push(score);
    this.rungValues.set(epoch, values);
    const keep = Math.ceil(values.length / this.options.reductionFactor);
    const sorted = [...values].sort((a, b) => (this.options.direction === 'higher' ? b - a : a - b));
    const cutoff = sorted[keep - 1];
    const inTop = this.options.direction === 'higher' ? score >= cutoff : score <= cutoff;
    if (inTop && Number.isFinite(value)) return undefined;
    return `stopped at the rung of epoch ${epoch}: ${Number.isFinite(value) ? value : String(value)} is not among the best ${keep} of ${values.length} trials there`;
  }
}
