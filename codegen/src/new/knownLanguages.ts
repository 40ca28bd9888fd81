/** Languages `polybridge new` can scaffold: one folder each under server-template/. */
export const KNOWN_LANGUAGES = ["ts", "python", "erlang"] as const;

/** A language of {@link KNOWN_LANGUAGES}. */
export type Language = (typeof KNOWN_LANGUAGES)[number];

/** Narrows a user-given string to a {@link Language}. */
export function isLanguage(value: string): value is Language {
  return (KNOWN_LANGUAGES as readonly string[]).includes(value);
}
