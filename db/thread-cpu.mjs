// The calling thread's CPU time, for benchmarks (plain JavaScript: the embedded database's worker
// thread loads it without the TypeScript loader).
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

/** /proc reports times in USER_HZ ticks, 100 a second on Linux. */
const MS_PER_TICK = 10

/** utime + stime (ms) of a /proc …/stat line: the 14th and 15th fields, counted after the name. */
export function statCpuMs(stat) {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) * MS_PER_TICK
}

/**
 * The calling thread's CPU time (ms): from /proc/thread-self on Linux; elsewhere its event loop's
 * active time (which also counts time the thread waited for a core).
 */
export function threadCpuMs() {
  try {
    return statCpuMs(readFileSync('/proc/thread-self/stat', 'utf8'))
  } catch {
    return performance.eventLoopUtilization().active
  }
}
