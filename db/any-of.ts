/**
 * `column = any($1::text[])`: a list of values as ONE bound array parameter. drizzle's `inArray`
 * binds one parameter per value, whose building and binding cost grows with the list (a sync batch
 * checks hundreds of ids at once); one array costs the same for any length and keeps the statement
 * text the same for every list.
 */
import { sql, type Column, type SQL } from 'drizzle-orm'

export const anyOf = (column: Column | SQL, values: readonly string[]): SQL => sql`${column} = any(${sql.param([...values])}::text[])`
