/**
 * Outbox throughput: messages per second from stored rows through the dispatcher to a chat port
 * that does nothing, on PGlite and PostgreSQL. 5,000 messages over 50 channels (per-channel order
 * holds, so a channel's rows go one after another; channels go in parallel).
 */
import { loadavg } from 'node:os'
import type { Database } from '../db/database.js'
import { channels, outbox } from '../db/schema.js'
import { createDispatcher } from '../src/notifications/dispatcher.js'
import type { ChatPort } from '../src/notifications/chat-port.js'
import { message } from '../src/notifications/message.js'
import { systemClock } from '../src/shared/clock.js'
import { silentLogger } from '../src/shared/logger.js'
import type { BenchModule, Figure } from './run.js'
import { benchPglite, benchPostgres } from './support/databases.js'

const MESSAGES = 5_000
const CHANNELS = 50

async function throughput(database: Database): Promise<number> {
  const { db } = database
  const chs = await db
    .insert(channels)
    .values(Array.from({ length: CHANNELS }, (_, i) => ({ platform: 'console', externalId: `bench-${i}` })))
    .returning({ id: channels.id })
  const payload = message({ kind: 'bench', title: 'New order 576000000000000001', lines: [['2 × Phone case (SKU-A)']] })
  for (let i = 0; i < MESSAGES; i += 1000) {
    await db.insert(outbox).values(
      Array.from({ length: Math.min(1000, MESSAGES - i) }, (_, j) => ({
        channelId: chs[(i + j) % CHANNELS].id,
        dedupeKey: `bench:${i + j}`,
        kind: 'post',
        payload,
        nextAttemptAt: new Date(0),
      })),
    )
  }
  let seq = 0
  const port: ChatPort = { platform: 'console', post: async () => ({ messageId: String(++seq) }), edit: async () => {} }
  const d = createDispatcher({ db, ports: [port], clock: systemClock, logger: silentLogger })
  const t0 = performance.now()
  let sent = 0
  while (sent < MESSAGES) {
    const n = await d.drainOnce()
    if (!n) break
    sent += n
  }
  const seconds = (performance.now() - t0) / 1000
  if (seq !== MESSAGES) throw new Error(`sent ${seq} of ${MESSAGES}`)
  return MESSAGES / seconds
}

const bench: BenchModule = {
  title: 'Outbox dispatcher throughput',
  async run() {
    const figures: Figure[] = []
    const lite = await benchPglite()
    try {
      figures.push({ name: `${MESSAGES} messages over ${CHANNELS} channels to a no-op port, PGlite`, value: await throughput(lite), unit: 'messages/s' })
    } finally {
      await lite.close()
    }
    const pg = await benchPostgres('outbox')
    try {
      figures.push({ name: `${MESSAGES} messages over ${CHANNELS} channels to a no-op port, PostgreSQL`, value: await throughput(pg), unit: 'messages/s' })
    } finally {
      await pg.close()
    }
    figures.push({ name: 'machine load average (1 min)', value: loadavg()[0] })
    return figures
  },
}
export default bench
