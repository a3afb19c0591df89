/** Databases for benchmarks: a fresh embedded one, and a throw-away PostgreSQL database. */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { openDatabase, type Database } from '../../db/database.js'
import { applyMigrations } from '../../db/migrate.js'

/** BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server's `test` database. */
export const benchServerUrl = () =>
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test'

/** Whether the benchmark's PostgreSQL server runs on this machine (its processes' CPU time can then be read). */
export function benchServerIsLocal(): boolean {
  const host = new URL(benchServerUrl()).hostname
  return host === '' || host === 'localhost' || host === '127.0.0.1' || host === '[::1]'
}

/**
 * A fresh embedded database in a new data folder on disk, as `npm start` keeps its own (DATA_DIR),
 * removed by close(). Not `memory://`, which the product never runs on: its in-memory file system
 * grows a file by copying it into a larger one. Where touching fresh memory is dear (the bench
 * machine on 2026-11-27: 13–20 µs a page fault), that gave the embedded database thread 4–5 times
 * the page faults of a data folder during a 10,000-order sync, and cost the sync about 8 % of its
 * speed (6 paired rounds each, sync/fetch median: every order posted 0.515 → 0.560; first sync
 * 0.568 → 0.614).
 */
export async function benchPglite(): Promise<Database> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-pglite-'))
  const removeDir = () => rm(dir, { recursive: true, force: true })
  let db: Database
  try {
    db = await openDatabase({ dataDir: dir })
  } catch (err) {
    await removeDir()
    throw err
  }
  const close = db.close
  db.close = async () => {
    await close()
    await removeDir()
  }
  try {
    await applyMigrations(db)
  } catch (err) {
    await db.close()
    throw err
  }
  return db
}

/** A new `test_bench_<tag>_*` database on the server, dropped by close(). */
export async function benchPostgres(tag: string): Promise<Database> {
  const url = benchServerUrl()
  const name = `test_bench_${tag}_${randomBytes(4).toString('hex')}`
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${name}"`)
  await admin.end()
  const target = new URL(url)
  target.pathname = '/' + name
  const db = await openDatabase({ url: target.toString(), max: 10 })
  await applyMigrations(db)
  const close = db.close
  db.close = async () => {
    await close()
    const a = postgres(url, { max: 1, onnotice: () => {} })
    await a.unsafe(`drop database if exists "${name}" with (force)`)
    await a.end()
  }
  return db
}

/** Worst event-loop stall (ms) while `work` runs, sampled every `everyMs`. */
export async function worstStall<T>(work: () => Promise<T>, everyMs = 5): Promise<{ result: T; worstMs: number }> {
  let worst = 0
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    worst = Math.max(worst, now - last - everyMs)
    last = now
  }, everyMs)
  try {
    const result = await work()
    return { result, worstMs: Math.max(0, worst) }
  } finally {
    clearInterval(timer)
  }
}
