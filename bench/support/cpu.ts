/**
 * Where a benchmark's CPU time goes: this process (all its threads), its main thread, the simulator's
 * thread, the embedded database's thread, and a local PostgreSQL server's processes. With these, a
 * figure can say how much work a run did and how close it came to what the machine's cores allow.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { performance } from 'node:perf_hooks'
import { statCpuMs, threadCpuMs } from '../../db/thread-cpu.mjs'

/** CPU time (ms) of the local PostgreSQL server's processes, from /proc; null where that cannot be read. */
function postgresServerMs(): number | null {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return null
  }
  let ms = 0
  let seen = false
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      if (!stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).startsWith('postgres')) continue
      ms += statCpuMs(stat)
      seen = true
    } catch {
      // the process ended meanwhile, or is not ours to read
    }
  }
  return seen ? ms : null
}

export interface CpuSnapshot {
  at: number
  /** this process, every thread (ms) */
  process: number
  /** this thread (ms) */
  main: number
  /** the simulator's thread (ms), when it runs in this process */
  simulator: number | null
  /** the embedded database's thread (ms) (PGlite) */
  database: number | null
  /** the local PostgreSQL server's processes (ms) */
  server: number | null
}

export interface Sources {
  simulatorCpuMs?: () => Promise<number>
  databaseCpuMs?: () => Promise<number | null>
  /** read the local PostgreSQL server's CPU time (only when the benchmark's database is on it) */
  server?: boolean
}

export async function cpuSnapshot(src: Sources): Promise<CpuSnapshot> {
  const u = process.cpuUsage()
  return {
    at: performance.now(),
    process: (u.user + u.system) / 1000,
    main: threadCpuMs(),
    simulator: src.simulatorCpuMs ? await src.simulatorCpuMs() : null,
    database: src.databaseCpuMs ? await src.databaseCpuMs() : null,
    server: src.server ? postgresServerMs() : null,
  }
}

export interface CpuSpent {
  wallMs: number
  /** CPU time of this process and of the PostgreSQL server together (ms) */
  totalMs: number
  processMs: number
  mainMs: number
  simulatorMs: number | null
  databaseMs: number | null
  serverMs: number | null
  cores: number
}

const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a)

export function cpuSpent(from: CpuSnapshot, to: CpuSnapshot): CpuSpent {
  const serverMs = delta(from.server, to.server)
  const processMs = to.process - from.process
  return {
    wallMs: to.at - from.at,
    totalMs: processMs + (serverMs ?? 0),
    processMs,
    mainMs: to.main - from.main,
    simulatorMs: delta(from.simulator, to.simulator),
    databaseMs: delta(from.database, to.database),
    serverMs,
    cores: availableParallelism(),
  }
}

/**
 * The shortest this work could take on these cores: all of it spread evenly, and no thread finishing
 * before its own CPU time (each of the main, simulator and embedded database threads runs on one core).
 */
export function shortestMs(s: CpuSpent): number {
  return Math.max(s.totalMs / s.cores, s.mainMs, s.simulatorMs ?? 0, s.databaseMs ?? 0)
}

const sec = (ms: number | null) => (ms === null ? '–' : (ms / 1000).toFixed(1))

/** e.g. "3.7 CPU-s in 2.4 s on 2 cores (78 % busy): main thread 1.2 s, simulator thread 0.8 s, this process's other threads … 0.4 s, PostgreSQL server 1.5 s" */
export function describeCpu(s: CpuSpent): string {
  const busy = Math.round((100 * s.totalMs) / (s.wallMs * s.cores))
  const parts = [`main thread ${sec(s.mainMs)} s`]
  if (s.simulatorMs !== null) parts.push(`simulator thread ${sec(s.simulatorMs)} s`)
  if (s.databaseMs !== null) parts.push(`embedded database thread ${sec(s.databaseMs)} s`)
  const others = s.processMs - s.mainMs - (s.simulatorMs ?? 0) - (s.databaseMs ?? 0)
  parts.push(`this process's other threads (garbage collection, I/O) ${sec(others)} s`)
  if (s.serverMs !== null) parts.push(`PostgreSQL server ${sec(s.serverMs)} s`)
  return `${sec(s.totalMs)} CPU-s in ${sec(s.wallMs)} s on ${s.cores} cores (${busy} % busy): ${parts.join(', ')}`
}
