/**
 * Multi-row writes with ONE bound parameter: the rows as a JSON array, spread into columns by the
 * database (`json_populate_recordset`). For a page of wide rows (an order has ~60 columns and its raw
 * platform JSON) this is several times cheaper than one bound parameter per value, whose building
 * dominated the cost of storing a page (measured with bench/sync.bench.ts).
 *
 * Values go through JSON: dates as ISO strings, exact decimals as strings, JSON columns as nested
 * JSON. Columns missing from the rows take their defaults (only the rows' columns are inserted).
 */
import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`

/**
 * `insert into T (cols…) select cols… from json_populate_recordset(null::T, $1)`, followed by `tail`
 * (on conflict…, returning…). The columns are the keys of the first row (all rows must have the same
 * keys, drizzle property names).
 */
export function insertJsonRows<T extends PgTable>(table: T, rows: Partial<T['$inferInsert']>[], tail: SQL = sql``): SQL {
  const columns = getTableColumns(table) as Record<string, { name: string }>
  const keys = Object.keys(rows[0] ?? {})
  const names = keys.map((k) => {
    const c = columns[k]
    if (!c) throw new Error(`insertJsonRows: ${getTableName(table)} has no column ${k}`)
    return quote(c.name)
  })
  const json = JSON.stringify(
    rows.map((r) => {
      const o: Record<string, unknown> = {}
      for (let i = 0; i < keys.length; i++) o[columns[keys[i]].name] = (r as Record<string, unknown>)[keys[i]] ?? null
      return o
    }),
  )
  const t = quote(getTableName(table))
  const list = names.join(', ')
  return sql`insert into ${sql.raw(t)} (${sql.raw(list)}) select ${sql.raw(list)} from json_populate_recordset(null::${sql.raw(t)}, ${json}::json) ${tail}`
}
