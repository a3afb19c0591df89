/**
 * Reliability figures (issue 9), on PostgreSQL with the real ports against the local stand-ins:
 *  1. messages delivered per second through the outbox under Telegram's send limits (30/s overall,
 *     20 a minute per group), and through discord.js to the Discord stand-in;
 *  2. p95 from a webhook received to the chat message sent, at 20 new orders a second
 *     (simulator → signed webhook → HTTP edge → webhook worker → client re-read → core → outbox → Telegram);
 *  3. p95 from an Accept press to the edited message (core decision → simulator → outbox → Telegram edit).
 */
import { ne } from 'drizzle-orm'
import { outbox } from '../db/schema.js'
import { createAssistant } from '../src/assistant/index.js'
import type { ChannelInfo } from '../src/assistant/types.js'
import { tiktokWebhookRoute } from '../src/http/routes.js'
import { startHttpServer } from '../src/http/server.js'
import type { ChatPort } from '../src/notifications/chat-port.js'
import { createDispatcher } from '../src/notifications/dispatcher.js'
import { message, messageText, type NeutralMessage } from '../src/notifications/message.js'
import { enqueue } from '../src/notifications/outbox.js'
import { systemClock } from '../src/shared/clock.js'
import { silentLogger } from '../src/shared/logger.js'
import { workflowSink } from '../src/shop/sync-sink.js'
import { processWebhookEvents } from '../src/shop/webhooks.js'
import { processPlatformCancellation } from '../src/workflow/process-cancellation.js'
import { processPlatformOrder } from '../src/workflow/process-order.js'
import { TELEGRAM_LIMITS } from '../bots/telegram/rate-limit.js'
import { startDiscordStandIn } from '../test/fakes/discord-api.js'
import { FakeTelegram } from '../test/fakes/telegram-api.js'
import { APP_KEY, APP_SECRET, connectSimulatedShop, discordPort, followingChannel, telegramPort } from '../test/reliability/support.js'
import { seedShop } from '../test/support/fixtures.js'
import type { BenchModule, Figure } from './run.js'
import { benchPostgres } from './support/databases.js'

const p95 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] ?? NaN
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A port that notes when each post or edit finished, by a key found in the message text. */
function timed(port: ChatPort, key: (m: NeutralMessage) => string | undefined, posted: Map<string, number>, edited: Map<string, number>): ChatPort {
  return {
    platform: port.platform,
    async post(ch: ChannelInfo, m: NeutralMessage) {
      const r = await port.post(ch, m)
      const k = key(m)
      if (k && !posted.has(k)) posted.set(k, performance.now())
      return r
    },
    async edit(ch: ChannelInfo, id: string, m: NeutralMessage) {
      await port.edit(ch, id, m)
      const k = key(m)
      if (k && !edited.has(k)) edited.set(k, performance.now())
    },
  }
}

async function throughput(): Promise<Figure[]> {
  const database = await benchPostgres('outbox_rate')
  const tg = await FakeTelegram.start()
  const dc = await startDiscordStandIn({ guilds: [{ id: '900000000000000001', name: 'g', locale: 'en-US', ownerId: '900000000000000002', channels: Array.from({ length: 10 }, (_, i) => ({ id: String(900000000000000100n + BigInt(i)), name: `c${i}` })), roles: [] }] })
  try {
    const { db } = database
    const shopId = (await seedShop(db)).id
    const figures: Figure[] = []
    for (const platform of ['telegram', 'discord'] as const) {
      const chats: string[] = platform === 'telegram' ? Array.from({ length: 40 }, (_, i) => String(-1009000000000 - i)) : dc.guild.channels.map((c) => c.id)
      const perChat = platform === 'telegram' ? 10 : 30
      const ids: number[] = []
      for (const c of chats) {
        if (platform === 'telegram') tg.addChat({ id: Number(c) })
        ids.push(await followingChannel(db, { platform, externalId: String(c), shopId }))
      }
      await db.transaction(async (tx) => {
        for (let i = 0; i < perChat; i++)
          for (const ch of ids) await enqueue(tx, { channelId: ch, dedupeKey: `bench:${platform}:${ch}:${i}`, kind: 'post', payload: message({ kind: 'bench', title: `message ${i}` }) })
      })
      const total = chats.length * perChat
      const port = platform === 'telegram' ? telegramPort({ token: tg.token, apiRoot: tg.apiRoot, limits: TELEGRAM_LIMITS }) : discordPort({ token: dc.token, apiUrl: dc.apiUrl })
      const d = createDispatcher({ db, ports: [port], clock: systemClock, logger: silentLogger, pollMs: 50, batch: 50 })
      const t0 = performance.now()
      d.start()
      const count = (): number => (platform === 'telegram' ? chats.reduce((n, c) => n + tg.sent(Number(c)).length, 0) : dc.guild.channels.reduce((n, c) => n + dc.channelMessages(c.id).length, 0))
      // Telegram allows 20 a minute per group: measure the first 20 per group (the rest waits a minute)
      const target = platform === 'telegram' ? chats.length * Math.min(perChat, TELEGRAM_LIMITS.perChat) : total
      while (count() < target && performance.now() - t0 < 120_000) await sleep(10)
      const secs = (performance.now() - t0) / 1000
      await d.stop()
      figures.push({
        name: platform === 'telegram' ? `outbox → Telegram under its limits (${chats.length} groups × 20)` : `outbox → Discord stand-in via discord.js (${chats.length} channels × ${perChat})`,
        value: count() / secs,
        unit: 'messages/s',
        goal: platform === 'telegram' ? '≥ 25 (Telegram allows 30/s)' : undefined,
        ok: platform === 'telegram' ? count() / secs >= 25 : undefined,
      })
    }
    return figures
  } finally {
    await dc.close()
    await tg.stop()
    await database.close()
  }
}

async function webhookToMessage(): Promise<Figure[]> {
  const database = await benchPostgres('wh_latency')
  const { db } = database
  const tg = await FakeTelegram.start()
  const shop = await connectSimulatedShop(db)
  const received = new Map<string, number>()
  const posted = new Map<string, number>()
  try {
    const GROUP = -1009100000001
    tg.addChat({ id: GROUP })
    await followingChannel(db, { platform: 'telegram', externalId: String(GROUP), shopId: shop.shopId })
    const port = timed(telegramPort({ token: tg.token, apiRoot: tg.apiRoot }), (m) => /\b(57\d{16})\b/.exec(messageText(m))?.[1], posted, new Map())
    const dispatcher = createDispatcher({ db, ports: [port], clock: systemClock, logger: silentLogger, pollMs: 200 })
    const deps = { db, clock: systemClock, logger: silentLogger, kick: () => dispatcher.kick() }
    let busy: Promise<void> | null = null
    let again = false
    let stopped = false
    const work = () => {
      if (busy) return void (again = true)
      busy = (async () => {
        do {
          again = false
          const r = await processWebhookEvents({ ...deps, shop: shop.conn.client, sink: workflowSink(deps) })
          if (r.processed + r.failed > 0) again = true
        } while (again && !stopped)
      })()
        .catch((err) => console.error('webhook worker:', (err as Error).message))
        .finally(() => (busy = null))
    }
    const route = tiktokWebhookRoute({ db, clock: systemClock, logger: silentLogger, appKey: APP_KEY, appSecret: APP_SECRET, onStored: work })
    const server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      routes: [
        {
          ...route,
          async handle(req) {
            const id = /"order_id":"(\d+)"/.exec(req.body.toString())?.[1]
            if (id && !received.has(id)) received.set(id, performance.now())
            return route.handle(req)
          },
        },
      ],
    })
    shop.sim.setWebhookUrl(`${server.url}/webhooks/tiktok`)
    dispatcher.start()
    const ids: string[] = []
    const N = 200
    const t0 = performance.now()
    for (let i = 0; i < N; i++) {
      const due = t0 + i * 50 // 20 a second
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      ids.push(shop.sim.state.createOrder().o.id)
    }
    const end = performance.now() + 60_000
    while (ids.some((id) => !posted.has(id)) && performance.now() < end) await sleep(20)
    stopped = true
    shop.sim.setWebhookUrl(undefined)
    await server.close()
    await busy
    await dispatcher.stop()
    const lat = ids.filter((id) => posted.has(id) && received.has(id)).map((id) => posted.get(id)! - received.get(id)!)
    return [
      { name: `webhook received → Telegram message sent, p95 (${N} orders at 20/s, ${lat.length} delivered)`, value: p95(lat), unit: 'ms', goal: '< 2000 ms', ok: p95(lat) < 2000 && lat.length === N },
      { name: 'same, median', value: lat.sort((a, b) => a - b)[Math.floor(lat.length / 2)] ?? NaN, unit: 'ms' },
    ]
  } finally {
    await shop.sim.close()
    await tg.stop()
    await database.close()
  }
}

async function pressToEdit(): Promise<Figure[]> {
  const database = await benchPostgres('press_latency')
  const { db } = database
  const tg = await FakeTelegram.start()
  const shop = await connectSimulatedShop(db)
  const edited = new Map<string, number>()
  try {
    const GROUP = -1009200000001
    tg.addChat({ id: GROUP })
    await followingChannel(db, { platform: 'telegram', externalId: String(GROUP), shopId: shop.shopId, operators: ['telegram:1'] })
    const port = timed(telegramPort({ token: tg.token, apiRoot: tg.apiRoot }), (m) => /\b(57\d{16})\b/.exec(messageText(m))?.[1], new Map(), edited)
    const dispatcher = createDispatcher({ db, ports: [port], clock: systemClock, logger: silentLogger, pollMs: 200 })
    const deps = { db, clock: systemClock, logger: silentLogger, kick: () => dispatcher.kick() }
    const assistant = createAssistant({ ...deps, shop: shop.conn.client, defaults: { locale: 'en', timeZone: 'UTC' } })
    dispatcher.start()
    const requests: { orderId: string; cancelId: string }[] = []
    for (let i = 0; i < 40; i++) {
      const so = shop.sim.state.createOrder({ notify: false })
      const [po] = await shop.conn.client.getOrders(shop.shopId, [so.o.id])
      await processPlatformOrder(deps, shop.shopId, po)
      const c = shop.sim.state.buyerRequestCancel(so.o.id)
      const { items } = await shop.conn.client.searchCancellations(shop.shopId, { cancelIds: [c.cancel_id] })
      await processPlatformCancellation(deps, shop.shopId, items[0])
      requests.push({ orderId: so.o.id, cancelId: c.cancel_id })
    }
    while ((await db.$count(outbox, ne(outbox.status, 'sent'))) > 0) await sleep(50)
    const lat: number[] = []
    for (const r of requests) {
      const t0 = performance.now()
      const reply = await assistant.handle({ platform: 'telegram', externalId: String(GROUP) }, { platform: 'telegram', userId: '1', displayName: 'Op' }, { name: 'action', action: { type: 'cancel.accept', cancelId: r.cancelId } })
      if (!reply.ok) throw new Error(reply.message.title)
      const end = performance.now() + 10_000
      while (!edited.has(r.orderId) && performance.now() < end) await sleep(2)
      if (edited.has(r.orderId)) lat.push(edited.get(r.orderId)! - t0)
    }
    await dispatcher.stop()
    return [{ name: `Accept press → message edited on Telegram, p95 (${lat.length} presses)`, value: p95(lat), unit: 'ms', goal: '< 1500 ms', ok: p95(lat) < 1500 }]
  } finally {
    await shop.sim.close()
    await tg.stop()
    await database.close()
  }
}

const bench: BenchModule = {
  title: 'Reliability: outbox throughput and end-to-end latencies (PostgreSQL, stand-ins)',
  async run() {
    return [...(await throughput()), ...(await webhookToMessage()), ...(await pressToEdit())]
  },
}
export default bench
