/** Databases for benchmarks: a fresh embedded one, and a throw-away PostgreSQL database. */
import { randomBytes } from 'node:crypto'
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

export async function benchPglite(): Promise<Database> {
  const db = await openDatabase({ dataDir: 'memory://' })
  await applyMigrations(db)
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
