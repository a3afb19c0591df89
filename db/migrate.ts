/** Applies the committed drizzle migrations; safe to call from several instances at once. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import type { Database } from './database.js'

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url))
const MIGRATION_LOCK = 727_001

export async function applyMigrations(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migrate(database.db, { migrationsFolder })
    return
  }
  // Two instances starting together: one migrates, the other waits for it.
  // A single-connection client holds the session lock for the whole run.
  const conn = postgres(database.url!, { max: 1, onnotice: () => {} })
  try {
    await conn`select pg_advisory_lock(${MIGRATION_LOCK})`
    await migrate(drizzle({ client: conn }), { migrationsFolder })
  } finally {
    await conn.end({ timeout: 5 })
  }
}

/**
 * The committed migrations this database has not applied yet, by tag (drizzle's migrator applies
 * every migration newer than the last one it recorded in drizzle.__drizzle_migrations).
 */
export async function pendingMigrations(database: Database): Promise<{ total: number; pending: string[] }> {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] }
  let last = -1
  try {
    const [row] = await database.sql<{ last: string | null }[]>`select max(created_at)::text as last from drizzle.__drizzle_migrations`
    last = row.last === null ? -1 : Number(row.last)
  } catch (err) {
    // no schema or table yet: nothing applied
    if (!['3F000', '42P01'].includes((err as { code?: string }).code ?? '')) throw err
  }
  return { total: journal.entries.length, pending: journal.entries.filter((e) => e.when > last).map((e) => e.tag) }
}
