/**
 * Test databases. `describeEachDb` runs a suite on embedded PGlite and, when TEST_DATABASE_URL is
 * set, on that PostgreSQL server too. Each suite gets its own fresh, migrated database.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, inject } from 'vitest'
import { openDatabase, type Database } from '../../db/database.js'
import { assertTestDatabaseUrl } from './db-names.js'

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string
    postgresTemplate?: string
  }
}

export type DbKind = 'pglite' | 'postgres'
export const dbKinds: DbKind[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

let pgliteTemplate: Uint8Array | undefined

/** A fresh migrated database of the given kind; `close()` drops it. */
export async function freshDatabase(kind: DbKind): Promise<Database> {
  if (kind === 'pglite') {
    pgliteTemplate ??= new Uint8Array(readFileSync(inject('pgliteTemplate')))
    return openDatabase({ dataDir: 'memory://', loadDataDir: pgliteTemplate })
  }
  const url = process.env.TEST_DATABASE_URL!
  assertTestDatabaseUrl(url)
  const tmpl = inject('postgresTemplate')
  if (!tmpl) throw new Error('the PostgreSQL template was not prepared (global setup)')
  const name = `test_${randomBytes(6).toString('hex')}`
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await admin`select pg_advisory_lock(727002)` // clones from one template must not overlap
    await admin.unsafe(`create database "${name}" template "${tmpl}"`)
  } finally {
    await admin.end({ timeout: 5 })
  }
  const target = new URL(url)
  target.pathname = '/' + name
  const db = await openDatabase({ url: target.toString(), max: 20 })
  const close = db.close
  db.close = async () => {
    await close()
    const a = postgres(url, { max: 1, onnotice: () => {} })
    await a.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {})
    await a.end({ timeout: 5 })
  }
  return db
}

/**
 * Runs `fn` once per database kind, with a fresh database for the suite.
 * `get()` returns the open database inside tests and hooks.
 */
export function describeEachDb(title: string, fn: (get: () => Database, kind: DbKind) => void): void {
  for (const kind of dbKinds) {
    describe(`${title} [${kind}]`, () => {
      let database: Database | undefined
      beforeAll(async () => {
        database = await freshDatabase(kind)
      }, 60_000)
      afterAll(async () => {
        await database?.close()
      }, 30_000)
      fn(() => {
        if (!database) throw new Error('database not open yet')
        return database
      }, kind)
    })
  }
}
