/**
 * End to end on both databases: the real telegraf bot against the Bot API stand-in, the real core
 * (assistant, outbox dispatcher, order and cancellation flows, exports) and the real TikTok Shop
 * client talking over HTTP to the shop simulator. Link a group, see a new order and a cancellation
 * request, refuse a press by a member without a role, accept and reject (with a reason) as an
 * operator, export by command and by picker and read the file back, survive a 429, use a forum topic.
 */
import * as XLSX from '@e965/xlsx'
import { parse } from 'csv-parse/sync'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { shops } from '../../db/schema.js'
import { TELEGRAM_LIMITS } from '../../bots/telegram/rate-limit.js'
import { createAssistant } from '../../src/assistant/index.js'
import { createLinkCode } from '../../src/channels/link-codes.js'
import { exportCommand } from '../../src/exports/command.js'
import { createDispatcher, type Dispatcher } from '../../src/notifications/dispatcher.js'
import { systemClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { tokenCipher } from '../../src/shop/crypto.js'
import { rejectReasons, startSimulator, type Simulator } from '../../src/shop/simulator/index.js'
import { createTikTokConnection, type TikTokConnection } from '../../src/shop/tiktok/connection.js'
import { processPlatformCancellation } from '../../src/workflow/process-cancellation.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import type { StoredMessage } from '../fakes/telegram-api.js'
import { FORUM_ID, GROUP_ID, startTelegramHarness, user, type TelegramHarness } from '../fakes/telegram-harness.js'
import { describeEachDb } from '../support/db.js'

const APP_KEY = 'telegram-e2e-app'
const APP_SECRET = 'telegram-e2e-app-secret'
const admin = user(9001, 'Lin 林')
const member = user(9002, 'Bob')

describeEachDb('Telegram bot end to end', (get) => {
  let h: TelegramHarness
  let dispatcher: Dispatcher
  let sim: Simulator
  let conn: TikTokConnection
  let shopId: string
  let kick = () => {}
  const deps = () => ({ db: get().db, clock: systemClock, logger: h.logger, kick: () => kick() })

  beforeAll(async () => {
    const db = get().db
    sim = await startSimulator({ appKey: APP_KEY, appSecret: APP_SECRET, tickMs: false, region: 'GB', seed: 11 })
    conn = createTikTokConnection({
      settings: { appKey: APP_KEY, appSecret: APP_SECRET, apiBaseUrl: sim.baseUrl, authBaseUrl: sim.authBaseUrl },
      db,
      cipher: tokenCipher('telegram-e2e-token-cipher-key'),
      source: 'simulator',
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))),
    })
    shopId = (await conn.connectShop(sim.createAuthCode())).shops[0]!.id
    await db.update(shops).set({ name: 'Case & Co <UK>' }).where(eq(shops.id, shopId)) // a name that needs escaping
    const assistant = createAssistant({
      db,
      clock: systemClock,
      logger: silentLogger,
      shop: conn.client,
      defaults: { locale: 'en', timeZone: 'Asia/Shanghai' },
      handlers: { export: exportCommand },
      kick: () => kick(),
    })
    // Telegram's 20-a-minute per group is kept by the port (tested in telegram-render.test.ts);
    // this suite posts more than that within a minute, so it runs with a roomier window.
    h = await startTelegramHarness({ assistant, limits: { ...TELEGRAM_LIMITS, perChat: 500 } })
    dispatcher = createDispatcher({ db, ports: [h.bot.port], clock: systemClock, logger: h.logger, pollMs: 100, baseBackoffMs: 100, maxBackoffMs: 500 })
    kick = () => dispatcher.kick()
    dispatcher.start()
    h.tg.setMember(GROUP_ID, admin.id, 'creator')
    h.tg.setMember(GROUP_ID, member.id, 'member')
    h.tg.setMember(FORUM_ID, admin.id, 'administrator')
  }, 60_000)
  afterAll(async () => {
    await dispatcher?.stop()
    await h?.stop()
    await sim?.close()
  })

  /** An order made in the simulator, fetched through the real client and taken in by the core. */
  async function newOrder(buyerNote = ''): Promise<string> {
    const so = sim.state.createOrder({ buyerNote, notify: false })
    const [po] = await conn.client.getOrders(shopId, [so.o.id])
    await processPlatformOrder(deps(), shopId, po!)
    kick()
    return po!.id
  }
  async function buyerCancels(orderId: string): Promise<string> {
    const c = sim.state.buyerRequestCancel(orderId)
    const { items } = await conn.client.searchCancellations(shopId, { orderIds: [orderId] })
    await processPlatformCancellation(deps(), shopId, items.find((x) => x.cancel_id === c.cancel_id)!)
    kick()
    return c.cancel_id
  }
  const shopCalls = (path: RegExp) => sim.requests.filter((r) => path.test(r.path))

  const say = async (text: string, from = admin) => {
    const before = h.tg.sent(GROUP_ID).length
    h.tg.userSays(GROUP_ID, from, text)
    return h.tg.nextSent(GROUP_ID, before, 10_000)
  }
  const posted = (needle: string) => h.tg.waitFor(() => h.tg.sent(GROUP_ID).find((m) => m.text?.includes(needle)), 10_000, `a message with ${needle}`)

  it('links the group with a one-time code', async () => {
    const code = await createLinkCode(get().db, shopId, systemClock)
    const reply = await say(`/link@ShopHelperBot ${code}`)
    expect(reply.text).toContain('Linked to Case & Co <UK>')
    const again = await say(`/link ${code}`)
    expect(again.text).toMatch(/code/i) // used once only
  })

  it('posts a new paid order in the linked group, buyer text shown literally', async () => {
    const id = await newOrder('Please <b>rush</b> & ping @everyone')
    const msg = await posted(id)
    expect(msg.text).toContain('Please <b>rush</b> & ping @everyone')
    expect(msg.html).toContain('Please &lt;b&gt;rush&lt;/b&gt; &amp; ping @everyone')
    // the same order again posts nothing twice
    const [again] = await conn.client.getOrders(shopId, [id])
    await processPlatformOrder(deps(), shopId, again!)
    await dispatcher.drainOnce()
    expect(h.tg.sent(GROUP_ID).filter((m) => m.text?.includes(id) && m.text.includes('Please'))).toHaveLength(1)
  })

  let cancelMsg: StoredMessage
  let cancelId: string
  let orderId: string
  it('posts a buyer cancellation request with Accept and Reject', async () => {
    orderId = await newOrder()
    cancelId = await buyerCancels(orderId)
    cancelMsg = await posted(`Cancellation request for order ${orderId}`)
    expect(cancelMsg.text).toMatch(/Answer by: \d{4}-\d\d-\d\d \d\d:\d\d \(Asia\/Shanghai\)/)
    const labels = cancelMsg.reply_markup!.inline_keyboard.flat().map((b) => b.text)
    expect(labels).toEqual(['Accept', 'Reject'])
  })

  it('refuses a press by a member without a role: message unchanged, told why', async () => {
    const before = h.tg.sent(GROUP_ID).length
    const text = cancelMsg.text
    h.tg.press(GROUP_ID, cancelMsg.message_id, member, h.tg.button(cancelMsg, 'Accept'))
    const reply = await h.tg.nextSent(GROUP_ID, before)
    expect(reply.text).toMatch(/^⛔ Bob: Only a channel operator can do this/)
    expect(h.tg.callbackAnswers.length).toBeGreaterThan(0)
    expect(cancelMsg.edits).toBe(0)
    expect(cancelMsg.text).toBe(text)
    expect(shopCalls(/\/cancellations\/[^/]+\/(approve|reject)$/)).toHaveLength(0)
  })

  it('Accept by an operator reaches the shop once and edits the message: outcome, who, no buttons', async () => {
    const data = h.tg.button(cancelMsg, 'Accept')
    const before = h.tg.sent(GROUP_ID).length
    h.tg.press(GROUP_ID, cancelMsg.message_id, admin, data)
    h.tg.press(GROUP_ID, cancelMsg.message_id, admin, data) // a double press
    await h.tg.waitFor(() => cancelMsg.edits > 0 && !cancelMsg.reply_markup, 10_000, 'the outcome edit')
    expect(cancelMsg.text).toContain(`order ${orderId}`)
    expect(cancelMsg.text).toMatch(/Accepted by Lin 林 at \d{4}-\d\d-\d\d \d\d:\d\d \(Asia\/Shanghai\)/)
    expect(shopCalls(/\/cancellations\/[^/]+\/approve$/)).toHaveLength(1)
    expect(sim.state.cancellation(cancelId).cancel_status).not.toBe('CANCELLATION_REQUEST_PENDING')
    // each press is answered: one confirmation, one "already decided / being decided" refusal
    const answers = await h.tg.waitFor(() => { const r = h.tg.sent(GROUP_ID).slice(before).filter((m) => m.message_id !== cancelMsg.message_id); return r.length >= 2 && r }, 10_000, 'both answers')
    expect(answers.map((m) => m.text).join('\n')).toMatch(/Lin 林: .*(already|answering)/i)
  })

  it('Reject asks for a reason as buttons, and the chosen reason reaches the shop', async () => {
    const oid = await newOrder()
    const cid = await buyerCancels(oid)
    const msg = await posted(`Cancellation request for order ${oid}`)
    const before = h.tg.sent(GROUP_ID).length
    h.tg.press(GROUP_ID, msg.message_id, admin, h.tg.button(msg, 'Reject'))
    const picker = await h.tg.nextSent(GROUP_ID, before, 10_000)
    const reasons = rejectReasons('GB')
    expect(picker.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(reasons.map((r) => r.text['en-US']))
    const beforeReason = h.tg.sent(GROUP_ID).length
    h.tg.press(GROUP_ID, picker.message_id, admin, h.tg.button(picker, reasons[1]!.text['en-US']))
    const done = await h.tg.nextSent(GROUP_ID, beforeReason, 10_000)
    expect(done.text).toMatch(/reject/i)
    await h.tg.waitFor(() => msg.edits > 0 && !msg.reply_markup, 10_000, 'the reject outcome edit')
    expect(msg.text).toMatch(/Rejected by Lin 林/)
    expect(sim.state.cancellation(cid).reject_reason).toBe(reasons[1]!.name)
    expect(shopCalls(/\/cancellations\/[^/]+\/reject$/)).toHaveLength(1)
  })

  it('waits out a 429 from the Bot API and loses nothing', async () => {
    h.tg.fail({ code: 429, retryAfter: 1, count: 2, methods: ['sendMessage'] })
    const orders = [{ id: await newOrder() }, { id: await newOrder() }]
    for (const o of orders) await posted(o.id)
    // two answered 429 (retry_after 1 s), then each went through: four attempts, one message each
    const attempts = h.tg.calls.filter((c) => c.method === 'sendMessage' && orders.some((o) => String(c.params.text).includes(o.id)))
    expect(attempts).toHaveLength(4)
    for (const o of orders) expect(h.tg.sent(GROUP_ID).filter((m) => m.text?.includes(o.id))).toHaveLength(1)
  }, 15_000)

  let exported = ''
  it('/export returns a document the test reads back; bad arguments get a clear reply', async () => {
    const o = { id: await newOrder('=cmd() <b>&</b>') }
    exported = o.id
    const before = h.tg.sent(GROUP_ID).length
    h.tg.userSays(GROUP_ID, admin, '/export status=awaiting_shipment time=paid template=order_list format=csv')
    const doc = await h.tg.waitFor(() => h.tg.sent(GROUP_ID).slice(before).find((m) => m.document), 10_000, 'the export document')
    expect(doc.document!.file_name).toMatch(/\.csv$/)
    const rows: string[][] = parse(doc.bytes!, { bom: true, relax_column_count: true })
    expect(rows.length).toBeGreaterThan(1)
    expect(rows.some((r) => r.some((cell) => cell.includes(o.id)))).toBe(true)

    // the same values typed without their keys, as sellers write them (Chinese words included)
    const mid = h.tg.sent(GROUP_ID).length
    h.tg.userSays(GROUP_ID, admin, '/export 待发货 paid order list csv')
    const again = await h.tg.waitFor(() => h.tg.sent(GROUP_ID).slice(mid).find((m) => m.document), 10_000, 'the export document (words)')
    expect(again.document!.file_name).toBe(doc.document!.file_name)
    expect(again.bytes!.equals(doc.bytes!)).toBe(true)
    const word = await say('/export shipped tomorrow')
    expect(word.text).toMatch(/“tomorrow” is not something an export knows.*status=shipped/)

    const bad = await say('/export status=nonsense format=csv')
    expect(bad.text).toMatch(/Unknown status "nonsense"\. Use one of: all, unpaid, awaiting_shipment/)
    const old = await say('/export from=2020-01-01 to=2020-01-31')
    expect(old.text).toMatch(/90 days/)
    const typo = await say('/export colour=red')
    expect(typo.text).toMatch(/Unknown key “colour”/)
    expect(h.tg.sent(GROUP_ID).slice(before).filter((m) => m.document)).toHaveLength(2)
  }, 20_000)

  it('/export with no arguments: the picker runs the export through the core', async () => {
    const before = h.tg.sent(GROUP_ID).length
    h.tg.userSays(GROUP_ID, admin, '/export')
    const picker = await h.tg.nextSent(GROUP_ID, before)
    for (const label of ['Awaiting shipment', 'Paid · last 7 days', 'Order SKU list', 'Excel']) {
      const edits = picker.edits
      h.tg.press(GROUP_ID, picker.message_id, admin, h.tg.button(picker, label))
      if (label !== 'Excel') await h.tg.waitFor(() => picker.edits > edits, 4000, `the picker after ${label}`)
    }
    const doc = await h.tg.waitFor(() => h.tg.sent(GROUP_ID).slice(before).find((m) => m.document), 10_000, 'the export document')
    expect(doc.document!.file_name).toMatch(/\.xlsx$/)
    const book = XLSX.read(doc.bytes!, { type: 'buffer' })
    const sheet = book.Sheets[book.SheetNames[0]!]!
    const cells: unknown[][] = XLSX.utils.sheet_to_json(sheet, { header: 1 })
    expect(cells.length).toBeGreaterThan(1)
    expect(cells.flat().some((v) => String(v).includes(exported))).toBe(true)
  }, 20_000)

  it('a forum topic is its own channel: linked there, orders arrive in that topic', async () => {
    const code = await createLinkCode(get().db, shopId, systemClock)
    const before = h.tg.sent(FORUM_ID).length
    h.tg.userSays(FORUM_ID, admin, `/link ${code}`, { threadId: 7 })
    const linked = await h.tg.nextSent(FORUM_ID, before)
    expect(linked.message_thread_id).toBe(7)
    expect(linked.text).toContain('Linked to Case & Co <UK>')
    const o = { id: await newOrder() }
    const inTopic = await h.tg.waitFor(() => h.tg.sent(FORUM_ID, 7).find((m) => m.text?.includes(o.id)), 10_000, 'the order in the topic')
    expect(inTopic.message_thread_id).toBe(7)
    await posted(o.id) // the group follows the shop too
  })
})
