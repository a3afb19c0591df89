/**
 * A row as the database holds it right after inserting `row`: the columns the insert left out take
 * their defaults (a constant default as it is, `now()` as the caller's `now` — the database's differs
 * by the moments between the two clocks' readings — and no default as null). Lets a writer that has
 * just inserted rows use them as stored, without reading them back.
 */
import { getTableColumns, is, SQL } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'

interface ColumnInfo {
  default?: unknown
  defaultFn?: unknown
  hasDefault: boolean
  columnType: string
}

export function storedRow<T extends PgTable>(table: T, row: Partial<T['$inferInsert']>, now: Date): T['$inferSelect'] {
  const out: Record<string, unknown> = {}
  const given = row as Record<string, unknown>
  for (const [key, col] of Object.entries(getTableColumns(table) as Record<string, ColumnInfo>)) {
    if (given[key] !== undefined) out[key] = given[key]
    else if (is(col.default, SQL) && col.columnType === 'PgTimestamp') out[key] = now
    else if (col.defaultFn || is(col.default, SQL) || (col.hasDefault && col.default === undefined))
      // computed in JavaScript, by another SQL expression, or by a sequence (serial): not known here
      throw new Error(`storedRow: the default of ${key} is not known here; give it a value`)
    else out[key] = col.default ?? null
  }
  return out as T['$inferSelect']
}
