/**
 * The process the crash test kills with SIGKILL. It runs the real path for a burst of orders:
 * platform order → processPlatformOrder (ingest + stock check + outbox rows, one transaction) →
 * outbox dispatcher → the real Telegram and Discord chat ports → the stand-ins in the test process.
 *
 * The burst is re-delivered from the start on every run, as the platform's webhook retries and the
 * pull sync do after a crash. The process exits 0 once every order is in and the outbox is empty.
 *
 * Environment: DATABASE_URL (PostgreSQL) or DATA_DIR (embedded PGlite on disk), SHOP_ID, ORDER_PREFIX, ORDERS, TG_TOKEN, TG_API_ROOT, DC_TOKEN, DC_API_URL.
 */
import { inArray, sql } from 'drizzle-orm'
import { openDatabase } from '../../db/database.js'
import { outbox } from '../../db/schema.js'
import { createDispatcher } from '../../src/notifications/dispatcher.js'
import { systemClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { platformOrder } from '../support/fixtures.js'
import { discordPort, telegramPort } from './support.js'

const env = (k: string) => {
  const v = process.env[k]
  if (!v) throw new Error(`${k} is not set`)
  return v
}

export const crashOrderId = (prefix: string, i: number) => `${prefix}${String(i).padStart(6, '0')}`

async function main() {
  const database = process.env.DATA_DIR ? await openDatabase({ dataDir: process.env.DATA_DIR }) : await openDatabase({ url: env('DATABASE_URL'), max: 8 })
  const { db } = database
  const shopId = env('SHOP_ID')
  const prefix = env('ORDER_PREFIX')
  const n = Number(env('ORDERS'))
  const dispatcher = createDispatcher({
    db,
    ports: [telegramPort({ token: env('TG_TOKEN'), apiRoot: env('TG_API_ROOT') }), discordPort({ token: env('DC_TOKEN'), apiUrl: env('DC_API_URL') })],
    clock: systemClock,
    logger: silentLogger,
    pollMs: 50,
    // a row in flight when a process died is taken over once this lease ends
    leaseMs: 1500,
    baseBackoffMs: 100,
    maxBackoffMs: 500,
  })
  dispatcher.start()
  const deps = { db, clock: systemClock, logger: silentLogger, kick: () => dispatcher.kick() }
  const at = new Date(Date.now() - 60_000)
  let next = 0
  let done = 0
  const worker = async () => {
    for (;;) {
      const i = next++
      if (i >= n) return
      await processPlatformOrder(deps, shopId, platformOrder({ id: crashOrderId(prefix, i), at, buyer_message: `crash burst #${i}` }))
      if (++done % 100 === 0) process.stdout.write(`ingested ${done}\n`)
    }
  }
  await Promise.all(Array.from({ length: 6 }, worker))
  process.stdout.write(`ingested all ${n}\n`)
  for (;;) {
    const [{ left }] = await db
      .select({ left: sql<number>`count(*)`.mapWith(Number) })
      .from(outbox)
      .where(inArray(outbox.status, ['pending', 'sending']))
    if (left === 0) break
    dispatcher.kick()
    await new Promise((r) => setTimeout(r, 100))
  }
  await dispatcher.stop()
  await database.close()
  process.stdout.write('outbox empty\n')
  process.exit(0)
}

main().catch((err) => {
  process.stderr.write(`crash child failed: ${(err as Error).stack}\n`)
  process.exit(1)
})
