/**
 * The neighbouring doubles of a number, for tests at a decision boundary: "just above" and
 * "just below" mean one representable value away, so that no other value lies between them and
 * the boundary.
 */
const view = new DataView(new ArrayBuffer(8));

function step(x: number, up: boolean): number {
  if (Number.isNaN(x) || !Number.isFinite(x)) throw new Error(`no neighbour of ${x}`);
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const away = x > 0 === up; // moving away from zero increases the magnitude bits
  view.setBigUint64(0, away ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

/** The smallest double greater than x. */
export const nextUp = (x: number): number => step(x, true);
/** The largest double less than x. */
export const nextDown = (x: number): number => step(x, false);
