/** Applies the committed drizzle migrations; safe to call from several instances at once. */
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
