/** Rendering and the chat port against the Bot API stand-in: escaping, zones, keyboards, splitting, errors, limits. */
import fc from 'fast-check'
import { Telegraf } from 'telegraf'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TelegramChatPort } from '../../bots/telegram/chat-port.js'
import { dayInZone, pickerPress, pickerStart } from '../../bots/telegram/export-picker.js'
import { SendLimiter, TELEGRAM_LIMITS } from '../../bots/telegram/rate-limit.js'
import { renderMessage } from '../../bots/telegram/render.js'
import type { ChannelInfo } from '../../src/assistant/types.js'
import { decodeAction } from '../../src/notifications/actions.js'
import { ChatPermanentError, ChatRetryAfter } from '../../src/notifications/chat-port.js'
import { message, type NeutralMessage } from '../../src/notifications/message.js'
import { silentLogger } from '../../src/shared/logger.js'
import { FakeTelegram, parseTelegramHtml } from '../fakes/telegram-api.js'

const GROUP = -100200
const FORUM = -100300
const channel = (externalId: string, timeZone = 'Asia/Shanghai'): ChannelInfo => ({ id: 1, platform: 'telegram', externalId, locale: 'en', timeZone })

const nasty = 'Please <b>rush</b> & gift-wrap @everyone </i> &amp;'
const order: NeutralMessage = message({
  kind: 'new_order',
  title: `New order ${nasty}`,
  lines: [[{ bold: 'Paid ' }, { at: '2026-11-20T08:00:00Z' }], ['Buyer note: ', nasty], [{ code: '<SKU & co>' }]],
  fields: [{ label: 'Ship to <x>', value: ['1 Main St & Co'] }],
  buttons: [[{ label: 'Accept', action: { type: 'cancel.accept', cancelId: '4035' } }, { label: 'Reject', action: { type: 'cancel.reject_start', cancelId: '4035' } }]],
  footer: ['shop & co'],
})

describe('Telegram rendering and chat port', () => {
  let tg: FakeTelegram
  let bot: Telegraf
  let port: TelegramChatPort
  beforeAll(async () => {
    tg = await FakeTelegram.start()
    tg.addChat({ id: GROUP })
    tg.addChat({ id: FORUM, is_forum: true })
    bot = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot, webhookReply: false } })
    port = new TelegramChatPort({ telegram: bot.telegram, limiter: new SendLimiter(), logger: silentLogger })
  })
  afterAll(() => tg.stop())

  it('shows buyer text literally, instants in the channel zone, buttons as an inline keyboard', async () => {
    const { messageId } = await port.post(channel(String(GROUP)), order)
    const m = tg.message(GROUP, Number(messageId))
    expect(m.parse_mode).toBe('HTML')
    expect(m.text).toContain(`New order ${nasty}`)
    expect(m.text).toContain(`Buyer note: ${nasty}`)
    expect(m.text).toContain('<SKU & co>')
    expect(m.text).toContain('Ship to <x>: 1 Main St & Co')
    expect(m.text).toContain('Paid 2026-11-20 16:00 (Asia/Shanghai)')
    expect(m.html).toContain('&lt;b&gt;rush&lt;/b&gt; &amp; gift-wrap @everyone &lt;/i&gt; &amp;amp;')
    const data = m.reply_markup!.inline_keyboard.flat().map((b) => b.callback_data!)
    expect(data.map((d) => decodeAction(d))).toEqual([
      { type: 'cancel.accept', cancelId: '4035' },
      { type: 'cancel.reject_start', cancelId: '4035' },
    ])
  })

  it('posts into a forum topic and edits there: new text, buttons removed; an unchanged edit is fine', async () => {
    const ch = channel(`${FORUM}:77`, 'UTC')
    const { messageId } = await port.post(ch, order)
    const m = tg.message(FORUM, Number(messageId))
    expect(m.message_thread_id).toBe(77)
    expect(m.text).toContain('2026-11-20 08:00 (UTC)')
    const outcome = message({ kind: 'outcome', tone: 'success', title: 'Accepted by Li <Wei>' })
    await port.edit(ch, messageId, outcome)
    expect(m.text).toBe('✅ Accepted by Li <Wei>')
    expect(m.reply_markup).toBeUndefined()
    expect(m.edits).toBe(1)
    await port.edit(ch, messageId, outcome) // "message is not modified" → success
    expect(m.edits).toBe(1)
  })

  it('splits a message over 4096 characters at line boundaries, buttons on the last part', async () => {
    const long = message({
      kind: 'digest',
      title: 'Late orders',
      lines: Array.from({ length: 300 }, (_, i) => [`order ${i} <& late> `, 'x'.repeat(20)]),
      buttons: order.buttons,
    })
    const before = tg.sent(GROUP).length
    const { messageId } = await port.post(channel(String(GROUP)), long)
    const parts = tg.sent(GROUP).slice(before)
    expect(parts.length).toBeGreaterThan(1)
    for (const p of parts) expect(p.text!.length).toBeLessThanOrEqual(4096)
    expect(parts.at(-1)!.message_id).toBe(Number(messageId))
    expect(parts.slice(0, -1).every((p) => !p.reply_markup)).toBe(true)
    expect(parts.at(-1)!.reply_markup).toBeDefined()
    const all = parts.map((p) => p.text).join('\n')
    for (let i = 0; i < 300; i++) expect(all).toContain(`order ${i} <& late> `)
    // one line alone longer than a message is cut with an ellipsis
    const huge = message({ kind: 'x', title: 't', lines: [['&'.repeat(5000)]] })
    const r = await port.post(channel(String(GROUP)), huge)
    const t = tg.message(GROUP, Number(r.messageId)).text!
    expect(t.length).toBeLessThanOrEqual(4096)
    expect(t.endsWith('…')).toBe(true)
  })

  it('maps API errors: 429 → ChatRetryAfter, 5xx → retry, gone chat or message → permanent', async () => {
    tg.fail({ code: 429, retryAfter: 7, count: 1, methods: ['sendMessage'] })
    const e1 = await port.post(channel(String(GROUP)), order).catch((e) => e)
    expect(e1).toBeInstanceOf(ChatRetryAfter)
    expect(e1.retryAfterMs).toBe(7000)
    tg.fail({ code: 500, count: 1, methods: ['sendMessage'] })
    const e2 = await port.post(channel(String(GROUP)), order).catch((e) => e)
    expect(e2).toBeInstanceOf(Error)
    expect(e2).not.toBeInstanceOf(ChatPermanentError)
    expect(e2).not.toBeInstanceOf(ChatRetryAfter)
    await expect(port.post(channel('-100999'), order)).rejects.toBeInstanceOf(ChatPermanentError)
    await expect(port.edit(channel(String(GROUP)), '99999', order)).rejects.toBeInstanceOf(ChatPermanentError)
    tg.addChat({ id: -100444 })
    tg.removeBot(-100444)
    await expect(port.post(channel('-100444'), order)).rejects.toBeInstanceOf(ChatPermanentError)
  })

  it('keeps to the per-group limit: waits for a short slot, defers a long one to the outbox', async () => {
    tg.addChat({ id: -100555 })
    const limiter = new SendLimiter({ ...TELEGRAM_LIMITS, perChat: 3, perChatWindowMs: 600 })
    const p = new TelegramChatPort({ telegram: bot.telegram, limiter, logger: silentLogger, maxWaitMs: 1000 })
    const ch = channel('-100555')
    const small = message({ kind: 'x', title: 'hi' })
    const t0 = Date.now()
    for (let i = 0; i < 4; i++) await p.post(ch, small)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500) // the 4th waited for the window
    const strict = new TelegramChatPort({ telegram: bot.telegram, limiter: new SendLimiter({ ...TELEGRAM_LIMITS, perChat: 2, perChatWindowMs: 60_000 }), logger: silentLogger, maxWaitMs: 100 })
    await strict.post(ch, small)
    await strict.post(ch, small)
    const e = await strict.post(ch, small).catch((x) => x)
    expect(e).toBeInstanceOf(ChatRetryAfter)
    expect(e.retryAfterMs).toBeGreaterThan(50_000)
    expect(tg.sent(-100555)).toHaveLength(6)
  })

  it('any text renders to HTML Telegram accepts and shows the same text (property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 80 })
    fc.assert(
      fc.property(text, fc.array(text, { maxLength: 5 }), text, text, (title, lines, label, value) => {
        const m = message({ kind: 'k', title, lines: lines.map((l) => [l, { bold: l }, { code: l }]), fields: [{ label, value: [value] }] })
        const r = renderMessage(m, { timeZone: 'UTC', locale: 'en' })
        const shown = r.parts.map((p) => parseTelegramHtml(p)).join('\n')
        if (title.trim()) expect(shown).toContain(title)
        for (const l of lines) expect(shown).toContain(l + l + l)
        expect(shown).toContain(`${label}: ${value}`)
      }),
      { numRuns: 400 },
    )
  })

  it('export picker: status → time → template → format, state in callback data under 64 bytes', () => {
    const now = new Date('2026-11-20T20:00:00Z') // already 11-21 in Shanghai
    const start = pickerStart('en')
    const shipped = start.keyboard!.inline_keyboard.flat().find((b) => b.text === 'Shipped')!.callback_data
    const s2 = pickerPress(shipped, 'en', 'Asia/Shanghai', now)
    if (s2.kind !== 'view') throw new Error(s2.kind)
    const paid7 = s2.view.keyboard!.inline_keyboard.flat().find((b) => b.text === 'Paid · last 7 days')!.callback_data
    const s3 = pickerPress(paid7, 'en', 'Asia/Shanghai', now)
    if (s3.kind !== 'view') throw new Error(s3.kind)
    const tmpl = s3.view.keyboard!.inline_keyboard.flat().find((b) => b.text === 'Order list')!.callback_data
    const s4 = pickerPress(tmpl, 'en', 'Asia/Shanghai', now)
    if (s4.kind !== 'view') throw new Error(s4.kind)
    const csv = s4.view.keyboard!.inline_keyboard.flat().find((b) => b.text === 'CSV')!.callback_data
    expect(Buffer.byteLength(csv)).toBeLessThanOrEqual(64)
    expect(pickerPress(csv, 'en', 'Asia/Shanghai', now)).toEqual({
      kind: 'run',
      args: { status: 'shipped', time: 'paid', from: '2026-11-15', to: '2026-11-21', template: 'order_list', format: 'csv' },
      summary: 'Shipped · Paid · last 7 days · Order list · CSV',
    })
    expect(pickerPress('xp:!', 'zh-CN', 'UTC', now).kind).toBe('cancelled')
    expect(pickerPress('xp:q', 'en', 'UTC', now).kind).toBe('invalid')
    expect(pickerPress('xp:s.p7.k.x.y', 'en', 'UTC', now).kind).toBe('invalid')
    expect(dayInZone(new Date('2026-03-01T12:00:00Z'), 'UTC', 1)).toBe('2026-02-28')
  })
})
