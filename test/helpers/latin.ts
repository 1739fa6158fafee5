/**
 * The Latin words of a Chinese text that are not a name, id, code or unit: what would show through
 * as English. A token with a digit or a joiner (`TE2-0001`, `rev-te2-01`, `proposal.pdf`, `.csv`),
 * or in capitals (`NTU`, `PDF`, `NOT_ALLOWED`), is an id, a code or a unit; so is each of `units`.
 * Each word once, with the text it was seen in (cut short), so a failure says where to look.
 */
export function latinWordsIn(texts: readonly string[], units: readonly string[] = ['MiB', 'KiB', 'NT$']): string[] {
  const idOrCode = (word: string): boolean => /\d|[-_.:/@]/.test(word) || /^[A-Z$]{2,}$/.test(word) || units.includes(word);
  const seen = new Map<string, string>();
  for (const text of texts)
    for (const word of text.match(/[.\w$][\w$.:/@'’-]*/g) ?? [])
      if (/[A-Za-z]/.test(word) && !idOrCode(word) && !seen.has(word)) seen.set(word, `${word} in «${text.trim().replace(/\s+/g, ' ').slice(0, 80)}»`);
  return [...seen.values()];
}
