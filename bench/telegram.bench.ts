/**
 * The Telegram adapter against the local Bot API stand-in (real telegraf, long polling), with an
 * instant scripted core, so the figures are the adapter's own cost: command round trip (user
 * message → reply seen by the API), posts per second through the ChatPort, and HTML rendering.
 */
import { Telegram } from 'telegraf'
import { startTelegramBot } from '../bots/telegram/bot.js'
import { TelegramChatPort } from '../bots/telegram/chat-port.js'
import { SendLimiter } from '../bots/telegram/rate-limit.js'
import { renderMessage } from '../bots/telegram/render.js'
import { loadConfig } from '../src/config.js'
import { message } from '../src/notifications/message.js'
import { silentLogger } from '../src/shared/logger.js'
import { FakeTelegram } from '../test/fakes/telegram-api.js'
import type { Figure } from './run.js'

const ROOMY = { perChat: 1e9, perChatWindowMs: 60_000, global: 1e9, globalWindowMs: 1000 }
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!

const order = message({
  kind: 'new_order',
  tone: 'info',
  title: 'New order 576612345678901234',
  lines: [['Paid ', { at: '2026-11-20T08:00:00Z', style: 'both' }], ['Buyer note: Please <b>rush</b> & @everyone']],
  fields: [
    { label: 'Items', value: ['2 × Phone case 手机壳 (SKU-A)\n1 × Cable (SKU-B)'] },
    { label: 'Total', value: [{ bold: '50.00 USD' }] },
    { label: 'Ship by', value: [{ at: '2026-11-22T08:00:00Z', style: 'both' }] },
  ],
  buttons: [[{ label: 'Packed', action: { type: 'order.mark', orderId: '576612345678901234', step: 'packed' } }]],
})

export default {
  title: 'Telegram adapter (against the local Bot API stand-in)',
  async run(): Promise<Figure[]> {
    const figures: Figure[] = []
    const tg = await FakeTelegram.start()
    const chat = -100777
    tg.addChat({ id: chat })
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot })
    const bot = await startTelegramBot({
      config,
      logger: silentLogger,
      limits: ROOMY,
      assistant: { handle: async () => ({ ok: true, message: message({ kind: 'reply', title: 'ok' }) }) },
    })
    try {
      const from = { id: 1, is_bot: false, first_name: 'Ann' }
      const rtt: number[] = []
      for (let i = 0; i < 100; i++) {
        const before = tg.sent(chat).length
        const t0 = performance.now()
        tg.userSays(chat, from, '/orders shipped')
        const reply = await tg.nextSent(chat, before, 5000)
        rtt.push(reply.storedAt - t0)
      }
      figures.push({ name: 'command round trip, median (100 sequential)', value: pct(rtt, 50), unit: 'ms' })
      figures.push({ name: 'command round trip, p95', value: pct(rtt, 95), unit: 'ms', goal: '< 250 ms', ok: pct(rtt, 95) < 250 })

      const port = new TelegramChatPort({ telegram: new Telegram(tg.token, { apiRoot: tg.apiRoot, webhookReply: false }), limiter: new SendLimiter(ROOMY), logger: silentLogger })
      const ch = { id: 1, platform: 'telegram' as const, externalId: String(chat), locale: 'en' as const, timeZone: 'Asia/Shanghai' }
      const n = 300
      const t0 = performance.now()
      for (let i = 0; i < n; i++) await port.post(ch, order)
      const secs = (performance.now() - t0) / 1000
      figures.push({ name: `ChatPort posts, sequential (${n} order messages)`, value: n / secs, unit: 'msg/s' })

      const r0 = performance.now()
      const k = 10_000
      for (let i = 0; i < k; i++) renderMessage(order, { timeZone: 'Asia/Shanghai', locale: 'en' })
      figures.push({ name: 'render an order message to HTML', value: ((performance.now() - r0) * 1000) / k, unit: 'µs' })
    } finally {
      await bot.stop()
      await tg.stop()
    }
    return figures
  },
}
