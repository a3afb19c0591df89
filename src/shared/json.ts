/**
 * JSON from outside (the platform's API answers and webhooks). PostgreSQL text and jsonb cannot hold
 * a NUL character, so one inside a string would make a record impossible to store — a sync page or a
 * webhook that fails on every retry. NULs are dropped from every string while parsing.
 */
export function parseExternalJson(text: string): unknown {
  return text.includes('\\u0000') ? JSON.parse(text, (_key, v) => (typeof v === 'string' ? v.replaceAll('\u0000', '') : v)) : JSON.parse(text)
}

/** A string field of a record from outside (e.g. a platform record's id), or '' when it has none. */
export function stringField(x: unknown, key: string): string {
  const v = x && typeof x === 'object' ? (x as Record<string, unknown>)[key] : undefined
  return typeof v === 'string' ? v : ''
}
