/**
 * The embedded database as the program opens it (db/database.ts → db/pglite-worker.mjs): each database
 * in its own worker thread, all of them from WebAssembly compiled once per process, and PostgreSQL
 * started with new WAL segments not filled with zeros. What is written past a WAL segment survives a
 * restart on a data folder on disk.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { openDatabase } from '../../db/database.js'

describe('embedded database worker', () => {
  // the migrated test template: no initdb per database
  const template = readFileSync(inject('pgliteTemplate'))
  const dirs: string[] = []
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  it('opens several databases in one process, each its own, with new WAL segments not zero-filled', async () => {
    const a = await openDatabase({ dataDir: 'memory://', loadDataDir: template })
    const b = await openDatabase({ dataDir: 'memory://', loadDataDir: template })
    try {
      await a.sql`create table t (n int)`
      await a.sql`insert into t values (1)`
      await b.sql`create table t (n int)`
      expect(await a.sql`select n from t`).toEqual([{ n: 1 }])
      expect(await b.sql`select n from t`).toEqual([])
      const [{ wal_init_zero }] = await b.sql<{ wal_init_zero: string }[]>`show wal_init_zero`
      expect(wal_init_zero).toBe('off')
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('keeps what was written across more than one WAL segment after a restart on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'embedded-worker-'))
    dirs.push(dir)
    const first = await openDatabase({ dataDir: dir, loadDataDir: template })
    const [{ before }] = await first.sql<{ before: string }[]>`select pg_walfile_name(pg_current_wal_lsn()) as before`
    await first.sql`create table t (n int primary key, pad text)`
    // about 26 MB of rows (1,280 bytes each, under the size PostgreSQL compresses at), in several
    // transactions: the WAL moves on to a new segment (16 MB each)
    for (let i = 0; i < 4; i++) await first.sql`insert into t select g, repeat(md5(g::text), 40) from generate_series(${i * 5000 + 1}::int, ${(i + 1) * 5000}::int) g`
    const [{ after }] = await first.sql<{ after: string }[]>`select pg_walfile_name(pg_current_wal_lsn()) as after`
    expect(after).not.toBe(before)
    await first.close()
    const again = await openDatabase({ dataDir: dir })
    try {
      const [{ n, pad }] = await again.sql<{ n: number; pad: number }[]>`select count(*)::int as n, sum(length(pad))::int as pad from t`
      expect(n).toBe(20_000)
      expect(pad).toBe(20_000 * 32 * 40)
    } finally {
      await again.close()
    }
  })
})
