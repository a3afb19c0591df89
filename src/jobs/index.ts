/** The periodic jobs of the core (node-cron): every minute, the deadline scan, request expiry and the daily summaries due. */
import cron from 'node-cron'
import type { CoreDeps } from '../assistant/context.js'
import { expireCancellations } from '../cancellations/expiry.js'
import { sendDailySummaries } from '../fulfilment/daily-summary.js'
import { scanDeadlines } from '../fulfilment/deadlines.js'
import type { Dispatcher } from '../notifications/dispatcher.js'

export interface JobsOptions {
  deps: Pick<CoreDeps, 'db' | 'clock' | 'logger'>
  dispatcher?: Pick<Dispatcher, 'kick'>
  /** cron expression (default every minute) */
  cron?: string
}

/** One run of every minute job; exported so the CLI and tests can run it on demand. */
export async function runMinuteJobs(opts: JobsOptions): Promise<{ expired: number; warnings: number; messages: number; summaries: number }> {
  const now = opts.deps.clock.now()
  const expired = await expireCancellations(opts.deps, now)
  const scan = await scanDeadlines(opts.deps, now)
  const summaries = await sendDailySummaries(opts.deps, now)
  if (expired || scan.messages || summaries) opts.dispatcher?.kick()
  return { expired, warnings: scan.warnings, messages: scan.messages, summaries }
}

export function startJobs(opts: JobsOptions): { stop(): Promise<void> } {
  const { logger } = opts.deps
  let current: Promise<unknown> | null = null
  const task = cron.schedule(
    opts.cron ?? '* * * * *',
    async () => {
      current = runMinuteJobs(opts).catch((err) => logger.error('minute jobs failed', { err }))
      await current
      current = null
    },
    { name: 'core-minute-jobs', noOverlap: true },
  )
  return {
    async stop() {
      await task.stop()
      await task.destroy()
      await current
    },
  }
}
