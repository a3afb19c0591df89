/**
 * Runs once per `vitest run`: builds a migrated template of each test database, so every test file
 * starts from a clean, migrated database quickly (PGlite: a dumped data dir; PostgreSQL: a template
 * database cloned with CREATE DATABASE … TEMPLATE).
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { openDatabase } from '../../db/database.js'
import { applyMigrations, migrationsFolder } from '../../db/migrate.js'
import { assertTestDatabaseUrl, templateName } from './db-names.js'

function migrationsHash(): string {
  const h = createHash('sha256')
  for (const f of readdirSync(migrationsFolder).sort()) if (f.endsWith('.sql')) h.update(readFileSync(join(migrationsFolder, f)))
  h.update(readFileSync(join(migrationsFolder, 'meta', '_journal.json')))
  return h.digest('hex').slice(0, 12)
}

export default async function setup({ provide }: { provide: (key: string, value: unknown) => void }) {
  const hash = migrationsHash()
  const dir = join(tmpdir(), 'tts-assistant-test')
  mkdirSync(dir, { recursive: true })
  const dumpPath = join(dir, `pglite-${hash}.tar`)
  if (!existsSync(dumpPath)) {
    const db = await openDatabase({ dataDir: 'memory://' })
    await applyMigrations(db)
    const dump = await db.dump()
    await db.close()
    writeFileSync(dumpPath + '.tmp', dump)
    const { renameSync } = await import('node:fs')
    renameSync(dumpPath + '.tmp', dumpPath)
  }
  provide('pgliteTemplate', dumpPath)

  const url = process.env.TEST_DATABASE_URL
  if (url) {
    assertTestDatabaseUrl(url)
    const tmpl = templateName(hash)
    const admin = postgres(url, { max: 1, onnotice: () => {} })
    try {
      const [{ exists }] = await admin`select exists(select 1 from pg_database where datname = ${tmpl}) as exists`
      if (!exists) {
        await admin.unsafe(`create database "${tmpl}"`)
        const target = new URL(url)
        target.pathname = '/' + tmpl
        const db = await openDatabase({ url: target.toString(), max: 2 })
        await applyMigrations(db)
        await db.close()
      }
    } finally {
      await admin.end({ timeout: 5 })
    }
    provide('postgresTemplate', tmpl)
  }
}
