/**
 * SQL text for statements that cannot take parameters: COPY runs over the simple query protocol
 * (postgres.js `readable()`), so its values are written into the text as literals.
 */

/** A string literal that means `s` whatever standard_conforming_strings is (E'' when it holds a backslash). */
export function sqlLiteral(s: string): string {
  if (s.includes('\0')) throw new Error('a SQL text literal cannot hold a NUL character')
  const quoted = s.replace(/'/g, "''")
  return s.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`
}

/** `text` with its $n parameters replaced by literals (numbers as they are, everything else as
 * text); a $n inside a quoted literal of `text` is left alone. */
export function inlineParams(text: string, params: unknown[]): string {
  return text.replace(/'(?:[^']|'')*'|\$(\d+)/g, (m, n: string | undefined) => {
    if (n === undefined) return m
    const v = params[Number(n) - 1]
    if (typeof v === 'number' && Number.isFinite(v)) return String(v)
    if (v === null || v === undefined) return 'null'
    return sqlLiteral(String(v))
  })
}
