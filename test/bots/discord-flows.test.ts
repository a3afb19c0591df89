/**
 * End to end on both databases: the real discord.js bot against the Discord stand-in, the real core
 * (assistant, outbox dispatcher, order and cancellation flows, exports) and the real TikTok Shop
 * client talking over HTTP to the shop simulator. Link a channel, see a new order and a cancellation
 * request, refuse a press by a member without a role, accept and reject (with a reason) as an
 * operator, export a file and read it back, answer bad options clearly, ping no one, survive 429s.
 */
import * as XLSX from '@e965/xlsx'
import { parse as parseCsv } from 'csv-parse/sync'
import { and, desc, eq } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { orders, stockLevels } from '../../db/schema.js'
import { createAssistant } from '../../src/assistant/index.js'
import { createLinkCode } from '../../src/channels/link-codes.js'
import { exportCommand } from '../../src/exports/command.js'
import { t } from '../../src/i18n/index.js'
import { createDispatcher, type Dispatcher } from '../../src/notifications/dispatcher.js'
import { systemClock } from '../../src/shared/clock.js'
import { tokenCipher } from '../../src/shop/crypto.js'
import { rejectReasons, startSimulator, type Simulator } from '../../src/shop/simulator/index.js'
import { createTikTokConnection, type TikTokConnection } from '../../src/shop/tiktok/connection.js'
import { processPlatformCancellation } from '../../src/workflow/process-cancellation.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { Opt, Perm, snowflake, user, type StoredMessage } from '../fakes/discord-api.js'
import { startDiscordHarness, type DiscordHarness } from '../fakes/discord-harness.js'
import { describeEachDb } from '../support/db.js'

const APP_KEY = 'discord-e2e-app'
const APP_SECRET = 'discord-e2e-app-secret'
const owner = { user: user('410000000000000001', 'lin', { global_name: 'Lin 林' }), permissions: Perm.ManageGuild }
const bob = { user: user('410000000000000002', 'bob', { global_name: 'Bob' }) }

type Json = Record<string, any>
const embedText = (m: Json) =>
  [m.embeds?.[0]?.title, m.embeds?.[0]?.description, ...(m.embeds?.[0]?.fields ?? []).flatMap((f: Json) => [f.name, f.value]), m.content].filter(Boolean).join('\n')
/** embed text as a person reads it (Discord markdown escapes removed) */
const shown = (s: string) => s.replace(/\\(.)/g, '$1')
const buttonIds = (m: Json): string[] => (m.components ?? []).flatMap((r: Json) => r.components.map((c: Json) => c.custom_id))

describeEachDb('Discord bot end to end', (get) => {
  let sim: Simulator
  let conn: TikTokConnection
  let h: DiscordHarness
  let dispatcher: Dispatcher
  let shopId: string
  let kick = () => {}
  const deps = () => ({ db: get().db, clock: systemClock, logger: h.logger, kick: () => kick() })

  beforeAll(async () => {
    const db = get().db
    sim = await startSimulator({ appKey: APP_KEY, appSecret: APP_SECRET, tickMs: false, region: 'GB', seed: 7 })
    conn = createTikTokConnection({
      settings: { appKey: APP_KEY, appSecret: APP_SECRET, apiBaseUrl: sim.baseUrl, authBaseUrl: sim.authBaseUrl },
      db,
      cipher: tokenCipher('discord-e2e-token-cipher-key'),
      source: 'simulator',
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))),
    })
    shopId = (await conn.connectShop(sim.createAuthCode())).shops[0].id
    const core = createAssistant({
      db,
      clock: systemClock,
      logger: (await import('../../src/shared/logger.js')).silentLogger,
      shop: conn.client,
      defaults: { locale: 'en', timeZone: 'Asia/Shanghai' },
      handlers: { export: exportCommand },
      kick: () => kick(),
    })
    const assistant = core
    h = await startDiscordHarness({
      assistant,
      maxRateLimitWaitMs: 1000,
      standIn: { guilds: [{ id: snowflake(), name: 'Seller team', locale: 'en-US', ownerId: owner.user.id, channels: [{ id: snowflake(), name: 'orders' }, { id: snowflake(), name: 'general' }], roles: [] }] },
    })
    dispatcher = createDispatcher({ db, ports: [h.bot.port], clock: systemClock, logger: h.logger, pollMs: 100, baseBackoffMs: 100, maxBackoffMs: 500 })
    kick = () => dispatcher.kick()
    dispatcher.start()
  }, 60_000)
  afterAll(async () => {
    await dispatcher?.stop()
    await h?.stop()
    await sim?.close()
  })

  /** An order made in the simulator, fetched through the real client and taken in by the core. */
  async function newOrder(buyerNote = '') {
    const so = sim.state.createOrder({ buyerNote, notify: false })
    const [po] = await conn.client.getOrders(shopId, [so.o.id])
    await processPlatformOrder(deps(), shopId, po)
    kick()
    return po.id
  }
  async function buyerCancels(orderId: string) {
    const c = sim.state.buyerRequestCancel(orderId)
    const { items } = await conn.client.searchCancellations(shopId, { orderIds: [orderId] })
    const found = items.find((x) => x.cancel_id === c.cancel_id)!
    await processPlatformCancellation(deps(), shopId, found)
    kick()
    return c.cancel_id
  }
  const posted = (pred: (m: StoredMessage) => boolean, what: string) => h.api.waitFor(() => h.api.channelMessages().find(pred), 6000, what)
  const shopCalls = (path: RegExp) => sim.requests.filter((r) => path.test(r.path))

  it('links the channel with a one-time code (once only)', async () => {
    const code = await createLinkCode(get().db, shopId, systemClock)
    const out = await h.api.slash('link', [Opt.string('code', code)], { actor: owner }).outcome()
    expect(out.ack.delayMs).toBeLessThan(3000)
    expect(out.ephemeral).toBe(false)
    expect(embedText(out.message!)).toMatch(/Linked/i)
    const again = await h.api.slash('link', [Opt.string('code', code)], { actor: owner }).outcome()
    expect(again.followups[0].flags & 64).toBe(64)
    expect(embedText(again.followups[0])).toMatch(/code/i)
  })

  let orderMsg: StoredMessage
  let orderId: string
  it('posts a new paid order as an embed; "@everyone" in the buyer note pings no one', async () => {
    orderId = await newOrder('Please rush @everyone <@&123> **now** [win](https://x.example)')
    orderMsg = await posted((m) => embedText(m.api).includes(orderId), `the new order ${orderId}`)
    const text = embedText(orderMsg.api)
    expect(text).toContain('@\u200beveryone')
    expect(text).toContain('\\*\\*now\\*\\*')
    expect(text).not.toContain('<@&123>')
    expect(text).toMatch(/<t:\d+:f>/)
    expect(orderMsg.allowedMentions).toEqual({ parse: [] })
    expect(h.api.pings(orderMsg.api.content, orderMsg.allowedMentions)).toEqual({ everyone: false, users: [], roles: [] })
    expect(orderMsg.api.mention_everyone).toBe(false)
    // the same order again posts nothing twice
    const [po] = await conn.client.getOrders(shopId, [orderId])
    await processPlatformOrder(deps(), shopId, po)
    await dispatcher.drainOnce()
    expect(h.api.channelMessages().filter((m) => embedText(m.api).includes(orderId) && m.api.embeds[0].title === orderMsg.api.embeds[0].title)).toHaveLength(1)
  })

  let cancelMsg: StoredMessage
  let cancelId: string
  it('posts a buyer cancellation request with Accept and Reject buttons', async () => {
    cancelId = await buyerCancels(orderId)
    cancelMsg = await posted((m) => m.api.embeds[0]?.title === `Cancellation request for order ${orderId}`, 'the cancellation request')
    expect(buttonIds(cancelMsg.api)).toEqual([`ca:${cancelId}`, `cr:${cancelId}`])
    expect(embedText(cancelMsg.api)).toContain(orderId)
  })

  it('refuses a press by a member without a role: ephemeral, message unchanged, nothing reaches the shop', async () => {
    const before = JSON.stringify(cancelMsg.api)
    const out = await h.api.press(cancelMsg.api.id, `ca:${cancelId}`, { actor: bob }).outcome()
    expect(out.ack.delayMs).toBeLessThan(3000)
    expect(out.followups[0].flags & 64).toBe(64)
    expect(embedText(out.followups[0])).toMatch(/operator/i)
    await dispatcher.drainOnce()
    expect(JSON.stringify(cancelMsg.api)).toBe(before)
    expect(shopCalls(/\/cancellations\/[^/]+\/(approve|reject)$/)).toHaveLength(0)
  })

  it('Accept by an operator reaches the shop once; the message is edited with buttons removed', async () => {
    const snapshot = JSON.parse(JSON.stringify(cancelMsg.api))
    const out = await h.api.press(cancelMsg.api.id, `ca:${cancelId}`, { actor: owner }).outcome()
    expect(out.ack.type).toBe(6)
    await h.api.waitFor(() => cancelMsg.api.components.length === 0, 6000, 'the outcome edit')
    expect(embedText(cancelMsg.api)).toMatch(/Accepted by Lin 林/)
    expect(sim.state.cancellation(cancelId).cancel_status).not.toBe('CANCELLATION_REQUEST_PENDING')
    // a late press on the old copy (a race) is told who decided, and the shop is not called again
    const late = await h.api.press(cancelMsg.api.id, `ca:${cancelId}`, { actor: owner, snapshot }).outcome()
    expect(embedText(late.followups[0])).toMatch(/Lin 林/)
    expect(shopCalls(/\/cancellations\/[^/]+\/approve$/)).toHaveLength(1)
  })

  it('Reject asks for a reason in a select menu; the chosen reason reaches the shop', async () => {
    const oid = await newOrder()
    const cid = await buyerCancels(oid)
    const msg = await posted((m) => m.api.embeds[0]?.title === `Cancellation request for order ${oid}`, 'the second request')
    const press = await h.api.press(msg.api.id, `cr:${cid}`, { actor: owner }).outcome()
    const prompt = press.followups[0]
    expect(prompt.flags & 64).toBe(64)
    const menu = prompt.components[0].components[0]
    expect(menu.type).toBe(3)
    expect(menu.options.length).toBeGreaterThan(0)
    const chosen = menu.options[0]
    const pick = await h.api.select(prompt.id, menu.custom_id, [chosen.value], { actor: owner }).outcome()
    expect(pick.message?.components).toEqual([])
    await h.api.waitFor(() => msg.api.components.length === 0, 6000, 'the reject outcome edit')
    expect(embedText(msg.api)).toMatch(/Rejected by Lin 林/)
    const c = sim.state.cancellation(cid)
    expect(c.cancel_status).toBe('CANCELLATION_REQUEST_CANCELLED')
    expect(c.reject_reason).toBe(rejectReasons('GB')[0].name)
    expect(shopCalls(/\/cancellations\/[^/]+\/reject$/)).toHaveLength(1)
  })

  it('/export sends a CSV attachment that reads back with the orders', async () => {
    const out = await h.api.slash('export', [Opt.string('status', 'all'), Opt.string('format', 'csv'), Opt.string('template', 'order_list')], { actor: owner }).outcome(15_000)
    expect(out.ephemeral).toBe(false)
    const msg = h.api.message(out.message!.id)
    expect(msg.api.attachments[0].filename).toMatch(/\.csv$/)
    const rows = parseCsv(h.api.file(msg).data, { bom: true, columns: true }) as Record<string, string>[]
    const ids = rows.map((r) => Object.values(r).find((v) => /^57\d{16}$/.test(v)))
    expect(ids).toContain(orderId)
    expect(msg.allowedMentions).toEqual({ parse: [] })
  }, 20_000)

  it('/export as Excel reads back with an independent reader', async () => {
    const out = await h.api.slash('export', [Opt.string('format', 'xlsx')], { actor: owner }).outcome(15_000)
    const msg = h.api.message(out.message!.id)
    expect(msg.api.attachments[0].filename).toMatch(/\.xlsx$/)
    const wb = XLSX.read(h.api.file(msg).data, { type: 'buffer' })
    const cells = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets[wb.SheetNames[0]], { header: 1 }).flat().map(String)
    expect(cells).toContain(orderId)
  }, 20_000)

  it('autocompletes the shop for /export from the shops this channel follows', async () => {
    const out = await h.api.autocomplete('export', [Opt.string('shop', '', true)], { actor: owner }).outcome()
    expect(out.choices?.map((c) => c.value)).toEqual([shopId])
    const typed = await h.api.autocomplete('export', [Opt.string('shop', sim.shop.name.slice(0, 4).toLowerCase(), true)], { actor: bob }).outcome()
    expect(typed.choices?.map((c) => c.value)).toEqual([shopId])
    const elsewhere = await h.api.autocomplete('export', [Opt.string('shop', '', true)], { actor: owner, channelId: h.api.guild.channels[1].id }).outcome()
    expect(elsewhere.choices).toEqual([])
  })

  it('autocompletes an order id from the orders of the shops this channel follows: newest first, by any part of the number', async () => {
    const [newest] = await get().db.select({ id: orders.id }).from(orders).where(eq(orders.shopId, shopId)).orderBy(desc(orders.createTime)).limit(1)
    const out = await h.api.autocomplete('order', [Opt.string('id', '', true)], { actor: owner }).outcome()
    expect(out.choices!.length).toBeGreaterThan(0)
    expect(out.choices![0].value).toBe(newest.id)
    expect(out.choices![0].name).toMatch(new RegExp(`^${newest.id} · `))
    const tail = newest.id.slice(-6)
    const typed = await h.api.autocomplete('mark', [Opt.string('id', tail, true)], { actor: bob }).outcome()
    expect(typed.choices!.map((c) => c.value)).toContain(newest.id)
    expect(typed.choices!.every((c) => c.value.includes(tail))).toBe(true)
    // another channel (following no shop), and typing that is no part of an order number: nothing
    expect((await h.api.autocomplete('order', [Opt.string('id', '', true)], { actor: owner, channelId: h.api.guild.channels[1].id }).outcome()).choices).toEqual([])
    expect((await h.api.autocomplete('order', [Opt.string('id', '1%', true)], { actor: owner }).outcome()).choices).toEqual([])
  })

  it('answers bad options clearly and only to the person who typed them', async () => {
    const bad = await h.api.slash('export', [Opt.string('from', '2026-13-45')], { actor: owner }).outcome()
    expect(bad.followups[0].flags & 64).toBe(64)
    expect(embedText(bad.followups[0])).toMatch(/YYYY-MM-DD|date/i)
    const tz = await h.api.slash('settings', [Opt.string('timezone', 'Mars/Olympus')], { actor: owner }).outcome()
    expect(tz.followups[0].flags & 64).toBe(64)
    expect(embedText(tz.followups[0])).toMatch(/time zone|Asia\/Shanghai/i)
    const missing = await h.api.slash('order', [Opt.string('id', '999')], { actor: owner }).outcome()
    expect(embedText(missing.followups[0] ?? missing.message!)).toMatch(/999/)
  })

  const stockOf = async (sku: string) =>
    (await get().db.select({ n: stockLevels.onHand }).from(stockLevels).where(and(eq(stockLevels.shopId, shopId), eq(stockLevels.sellerSku, sku))))[0]?.n
  const lastUpload = () => [...h.api.uploads.values()].at(-1)!

  it('/stock with a CSV attachment imports it for an operator; a member without a role is refused before it is downloaded', async () => {
    const csv = 'seller_sku,quantity,note\nDC-MUG,12,restock\nDC-TOTE,3,\n'
    // bob has no role: refused, and the file is never fetched
    const refused = await h.api.slash('stock', [Opt.attachment('file', { filename: 'stock.csv', data: csv })], { actor: bob }).outcome()
    expect(refused.followups[0].flags & 64).toBe(64)
    expect(embedText(refused.followups[0])).toMatch(/operator/i)
    expect(lastUpload().downloads).toEqual([])
    expect(await stockOf('DC-MUG')).toBeUndefined()
    // the shop option autocompletes from the core
    expect((await h.api.autocomplete('stock', [Opt.string('shop', '', true)], { actor: owner }).outcome()).choices?.map((c) => c.value)).toEqual([shopId])
    // the channel's admin sends it (naming the shop, as picked from the suggestions)
    const out = await h.api.slash('stock', [Opt.attachment('file', { filename: 'stock.csv', data: csv }), Opt.string('shop', shopId)], { actor: owner }).outcome(10_000)
    expect(out.ephemeral).toBe(false)
    expect(shown(out.message!.embeds[0].title)).toBe(t('en', 'stock_file.imported', { file: 'stock.csv', count: 2, changed: 2 }))
    expect(embedText(out.message!)).toContain('DC-MUG: 0 → 12')
    expect(embedText(out.message!)).toContain('DC-TOTE: 0 → 3')
    expect(lastUpload().downloads).toEqual([expect.objectContaining({ status: 200, finished: true })])
    expect(await stockOf('DC-MUG')).toBe(12)
    expect(await stockOf('DC-TOTE')).toBe(3)
    // /stock for the SKU shows what the file set
    const view = await h.api.slash('stock', [Opt.string('sku', 'DC-MUG')], { actor: bob }).outcome()
    expect(embedText(view.message ?? view.followups[0])).toContain('DC-MUG: 12 on hand')
  }, 20_000)

  it('a stock file whose download fails (the link expired) is answered "could not be fetched", only to its sender, and nothing is imported', async () => {
    const out = await h.api.slash('stock', [Opt.attachment('file', { filename: 'stock.csv', data: 'seller_sku,quantity\nDC-MUG,99\n', status: 404 })], { actor: owner }).outcome(10_000)
    expect(lastUpload().downloads.map((d) => d.status)).toEqual([404])
    expect(out.followups).toHaveLength(1)
    expect(out.followups[0].flags & 64).toBe(64)
    expect(shown(out.followups[0].embeds[0].title)).toBe(t('en', 'stock_file.unreadable'))
    expect(out.followups[0].embeds[0].title).toMatch(/could not be fetched/)
    expect(await stockOf('DC-MUG')).toBe(12)
  })

  it('/stock export: the stock sheet comes as an attachment, in the form a stock file is read, for any member who may see stock', async () => {
    const out = await h.api.slash('stock', [Opt.string('export', 'xlsx')], { actor: owner }).outcome(10_000)
    const msg = h.api.message(out.message!.id)
    expect(msg.api.attachments[0].filename).toMatch(/^stock-.*\.xlsx$/)
    const wb = XLSX.read(h.api.file(msg).data, { type: 'buffer' })
    const rows = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets[wb.SheetNames[0]], { header: 1, defval: '' })
    expect(rows[0]).toEqual(['seller_sku', 'quantity', 'product', 'reserved', 'available'])
    expect(rows).toContainEqual(['DC-MUG', 12, '', 0, 12])
    expect(shown(out.message!.embeds[0].description ?? '')).toContain(t('en', 'stock_sheet.how'))
  }, 20_000)

  it('a stock file above 1 MiB is refused without being imported: not fetched when Discord says its size, cut off when the body runs past it', async () => {
    const rows = (n: number) => 'seller_sku,quantity\n' + Array.from({ length: n }, (_, i) => `DC-BIG-${i},5\n`).join('')
    const big = rows(80_000) // about 1.2 MiB
    expect(Buffer.byteLength(big)).toBeGreaterThan(1024 * 1024)
    const said = await h.api.slash('stock', [Opt.attachment('file', { filename: 'big.csv', data: big })], { actor: owner }).outcome(10_000)
    expect(said.followups[0].flags & 64).toBe(64)
    expect(shown(said.followups[0].embeds[0].title)).toBe(t('en', 'stock_file.too_big', { kb: Math.ceil(Buffer.byteLength(big) / 1024), maxKb: 1024 }))
    expect(lastUpload().downloads).toEqual([])
    // Discord reports a small size, but the body (sent without a length) is bigger: reading stops past 1 MiB
    const huge = rows(3_000_000) // about 48 MiB
    const cut = await h.api.slash('stock', [Opt.attachment('file', { filename: 'huge.csv', data: huge, size: 2048, contentLength: false })], { actor: owner }).outcome(15_000)
    expect(shown(cut.followups[0].embeds[0].title)).toBe(t('en', 'stock_file.over_max', { maxKb: 1024 }))
    const d = await h.api.waitFor(() => lastUpload().downloads[0]?.closed && lastUpload().downloads[0], 5000, 'the cut-off download')
    expect(d.finished).toBe(false)
    expect(d.bytesSent).toBeLessThan(Buffer.byteLength(huge))
    const imported = await get().db.$count(stockLevels, and(eq(stockLevels.shopId, shopId), eq(stockLevels.sellerSku, 'DC-BIG-0')))
    expect(imported).toBe(0)
  }, 30_000)

  it('waits out 429s (short in discord.js, long through the outbox) and loses nothing', async () => {
    const isPost = (m: string, p: string) => m === 'POST' && /\/channels\/\d+\/messages$/.test(p)
    h.api.fail({ status: 429, times: 1, retryAfter: 2, match: isPost }) // longer than the 1 s the bot waits in place
    h.api.fail({ status: 429, times: 1, retryAfter: 1, match: isPost })
    const ids = [await newOrder('first'), await newOrder('second')]
    for (const id of ids) await posted((m) => embedText(m.api).includes(id), `order ${id} after the 429s`)
    for (const id of ids) expect(h.api.channelMessages().filter((m) => embedText(m.api).includes(id))).toHaveLength(1)
    const answered = h.api.requests.filter((r) => isPost(r.method, r.path) && r.status === 429)
    expect(answered.length).toBeGreaterThanOrEqual(2)
  }, 15_000)

  it('every message the bot wrote allowed no mentions', () => {
    for (const w of h.api.messageWrites()) {
      const body = /\/callback$/.test(w.path) ? w.body?.data : w.body
      expect({ path: w.path, am: body?.allowed_mentions }).toEqual({ path: w.path, am: { parse: [] } })
    }
  })
})

