/**
 * The pull sync on a schedule (SYNC_CRON, default every 5 minutes) and on demand. A run never
 * overlaps the previous one in this process; across instances the per-shop lease in sync.ts decides.
 */
import cron from 'node-cron'
import { AppError } from '../shared/errors.js'
import { syncAll, syncShop, type SyncDeps, type SyncReport } from './sync.js'

export interface SyncSchedule {
  /** sync now (all shops, or one); shares a run already in progress for all shops */
  runNow(shopId?: string): Promise<SyncReport[]>
  stop(): Promise<void>
}

export function startSyncSchedule(deps: SyncDeps, expression = '*/5 * * * *'): SyncSchedule {
  if (!cron.validate(expression)) throw new AppError('config', `SYNC_CRON: "${expression}" is not a valid cron expression (e.g. */5 * * * *)`)
  let running: Promise<SyncReport[]> | null = null
  const all = () => {
    running ??= syncAll(deps)
      .catch((err) => {
        deps.logger.error('scheduled sync failed', { err })
        return [] as SyncReport[]
      })
      .finally(() => {
        running = null
      })
    return running
  }
  const task = cron.schedule(expression, () => all(), { name: 'tiktok-sync', noOverlap: true })
  return {
    runNow: (shopId) => (shopId ? syncShop(deps, shopId).then((r) => [r]) : all()),
    async stop() {
      await task.destroy()
      await running
    },
  }
}
