/**
 * Code-point order of two strings: the same on every host. locale-aware comparison depends on the host's
 * ICU data and locale, which sandboxed workflow code must not (a replay on another worker could order differently).
 */
export const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
