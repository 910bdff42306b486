// Regexp literals and comments with every character outside ASCII written as a \uXXXX escape, so esbuild's bundles stay ASCII.
//
// Why: esbuild's default `charset: 'ascii'` escapes strings, templates and identifiers, but leaves
// regexp literals and the comments it keeps (legal comments, some inside literals) as written, and
// a single character above U+00FF anywhere in a bundle makes V8 hold the bundle's whole source as a
// two-byte string. On the bench app (date-fns and moment locales, validator, luxon's docs) that was
// ~23 MiB of peak RSS at startup.

/**
 * Same meaning, character for character, in every mode:
 * - a UTF-16 code unit `c` becomes `\uXXXX`, which matches `c` inside or outside a class, and in a
 *   group name or `\k<...>`;
 * - an astral character is two code units: without the `u`/`v` flag the pattern is read as code
 *   units anyway, and with it `\uD83D\uDE00` is read back as one code point (the spec's surrogate
 *   pair escape), in a class too;
 * - `\é` (an identity escape, allowed only without `u`/`v`) matches `é`: it becomes `\u00e9`, not
 *   `\\u00e9`. Any other escape is copied as its two characters, so a backslash never changes hands.
 * What changes is `source`: `/[ä]/.source` is "[ä]", the escaped literal's is "[\u00e4]".
 */
export function asciiRegExpLiteral(literal: string): string {
  let out = '';
  for (let i = 0; i < literal.length; i++) {
    const unit = literal.charCodeAt(i);
    if (unit === 0x5c /* \ */ && i + 1 < literal.length) {
      const next = literal.charCodeAt(i + 1);
      out += next > 0x7f ? escapeUnit(next) : literal.slice(i, i + 2);
      i++;
    } else {
      out += unit > 0x7f ? escapeUnit(unit) : literal[i];
    }
  }
  return out;
}

const escapeUnit = (unit: number) => `\\u${unit.toString(16).padStart(4, '0')}`;

/** A comment with its characters outside ASCII escaped: a comment means nothing to the engine, and the text stays recoverable. */
export function asciiComment(comment: string): string {
  let out = '';
  for (let i = 0; i < comment.length; i++) {
    const unit = comment.charCodeAt(i);
    out += unit > 0x7f ? escapeUnit(unit) : comment[i];
  }
  return out;
}
