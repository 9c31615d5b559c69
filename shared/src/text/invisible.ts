/**
 * Characters that change how text reads without being seen: bidirectional overrides and isolates
 * (U+202E turns `txt.exe` into what reads as `exe.txt`), marks and zero-width characters (a
 * column that looks like another), the line and paragraph separators, and the C1 controls, which
 * some terminals obey (U+0090 DCS, U+009C ST, U+009D OSC). Text from data shows them as `<U+XXXX>`.
 */
const INVISIBLE =
  /[\u0080-\u009F\u061C\u180E\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** Replaces each invisible or C1 control character with a visible `<U+XXXX>`. */
export function revealInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}
