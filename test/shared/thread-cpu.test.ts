/**
 * The CPU accounting the benchmarks report (db/thread-cpu.mjs, Database.cpuMs): a /proc stat line is
 * read right even when the thread's name holds spaces and brackets, a thread's CPU time grows while it
 * works, and the embedded database reports its own thread's time (PostgreSQL: null, its server's
 * processes are read from /proc by the bench).
 */
import { platform } from 'node:os'
import { expect, it } from 'vitest'
import { statCpuMs, threadCpuMs } from '../../db/thread-cpu.mjs'
import { describeEachDb } from '../support/db.js'

it('reads utime + stime of a /proc stat line, whatever the name holds', () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
  const line = '4242 (node (w) 1) R 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 1000'
  expect(statCpuMs(line)).toBe(3000)
})

it.runIf(platform() === 'linux')("counts this thread's CPU time as it works", () => {
  const start = threadCpuMs()
  const until = Date.now() + 10_000
  let spins = 0
  // work until the kernel has counted at least 50 ms (its tick is 10 ms), or give up after 10 s
  while (threadCpuMs() - start < 50 && Date.now() < until) for (let i = 0; i < 100_000; i++) spins += i % 7
  expect(spins).toBeGreaterThan(0)
  expect(threadCpuMs() - start).toBeGreaterThanOrEqual(50)
})

describeEachDb('Database.cpuMs', (get, kind) => {
  it(kind === 'pglite' ? "reports the embedded database thread's CPU time, growing with its work" : 'is null on PostgreSQL', async () => {
    const db = get()
    const before = await db.cpuMs()
    if (kind === 'postgres') {
      expect(before).toBeNull()
      return
    }
    expect(typeof before).toBe('number')
    await db.sql`select count(*) from generate_series(1, 1000000)`
    const after = (await db.cpuMs())!
    expect(after).toBeGreaterThan(before!)
  })
})
