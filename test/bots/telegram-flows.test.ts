/**
 * End to end on both databases: the real telegraf bot against the Bot API stand-in, with the real
 * core (assistant, outbox dispatcher, order and cancellation flows) and a shop double that records
 * what reached the shop. Link a group, see a new order and a cancellation request, refuse a press
 * by a member without a role, accept and reject as an operator, survive a 429.
 */
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TELEGRAM_LIMITS } from '../../bots/telegram/rate-limit.js'
import { createAssistant } from '../../src/assistant/index.js'
import { createLinkCode } from '../../src/channels/link-codes.js'
import { exportCommand } from '../../src/exports/command.js'
import { createDispatcher, type Dispatcher } from '../../src/notifications/dispatcher.js'
import { systemClock } from '../../src/shared/clock.js'
import type { PlatformCancellation, Reason, ShopPort } from '../../src/shop/port.js'
import { processPlatformCancellation } from '../../src/workflow/process-cancellation.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seedShop, uniqueId } from '../support/fixtures.js'
import { FORUM_ID, GROUP_ID, startTelegramHarness, user, type TelegramHarness } from '../fakes/telegram-harness.js'
import type { StoredMessage } from '../fakes/telegram-api.js'

/** A shop that records every call that would change something on the platform. */
class RecordingShop implements ShopPort {
  calls: { method: string; args: unknown[] }[] = []
  reasons: Reason[] = [
    { name: 'reject_reason_already_packed', text: 'The package is already packed <&>' },
    { name: 'reject_reason_buyer_agreed', text: 'The buyer agreed to keep the order' },
  ]
  async searchOrders() {
    return { items: [], nextPageToken: '' }
  }
  async getOrders() {
    return []
  }
  async searchCancellations() {
    return { items: [], nextPageToken: '' }
  }
  async approveCancellation(...args: unknown[]) {
    this.calls.push({ method: 'approveCancellation', args })
  }
  async rejectCancellation(...args: unknown[]) {
    this.calls.push({ method: 'rejectCancellation', args })
  }
  async rejectReasons() {
    return this.reasons
  }
  async cancelOrder(...args: unknown[]) {
    this.calls.push({ method: 'cancelOrder', args })
    return { cancelId: uniqueId('40'), cancelStatus: 'CANCELLATION_REQUEST_COMPLETE' }
  }
  async shippingDocument() {
    return { docUrl: 'http://127.0.0.1:1/doc.pdf', trackingNumber: 'TN1' }
  }
}

const admin = user(9001, 'Lin 林')
const member = user(9002, 'Bob')

const request = (orderId: string, at: Date): PlatformCancellation => ({
  cancel_id: uniqueId('4035'),
  order_id: orderId,
  cancel_type: 'BUYER_CANCEL',
  role: 'BUYER',
  cancel_status: 'CANCELLATION_REQUEST_PENDING',
  cancel_reason: 'buyer_changed_mind',
  cancel_reason_text: 'Changed my mind <b>sorry</b> & @shop',
  create_time: Math.floor(at.getTime() / 1000),
})

describeEachDb('Telegram bot end to end', (get) => {
  let h: TelegramHarness
  let dispatcher: Dispatcher
  let shop: RecordingShop
  let shopId: string
  const deps = () => ({ db: get().db, clock: systemClock, logger: h.logger, kick: () => dispatcher.kick() })

  beforeAll(async () => {
    shop = new RecordingShop()
    shopId = (await seedShop(get().db, { region: 'GB', currency: 'GBP', name: 'Case & Co <UK>' })).id
    let kick = () => {}
    const assistant = createAssistant({
      db: get().db,
      clock: systemClock,
      logger: (await import('../../src/shared/logger.js')).silentLogger,
      shop,
      defaults: { locale: 'en', timeZone: 'Asia/Shanghai' },
      kick: () => kick(),
      handlers: { export: exportCommand },
    })
    // Telegram's 20-a-minute per group is kept by the port (tested in telegram-render.test.ts);
    // this suite posts more than that within a minute, so it runs with a roomier window.
    h = await startTelegramHarness({ assistant, limits: { ...TELEGRAM_LIMITS, perChat: 500 } })
    dispatcher = createDispatcher({ db: get().db, ports: [h.bot.port], clock: systemClock, logger: h.logger, pollMs: 100, baseBackoffMs: 100, maxBackoffMs: 500 })
    kick = () => dispatcher.kick()
    dispatcher.start()
    h.tg.setMember(GROUP_ID, admin.id, 'creator')
    h.tg.setMember(GROUP_ID, member.id, 'member')
    h.tg.setMember(FORUM_ID, admin.id, 'administrator')
  })
  afterAll(async () => {
    await dispatcher?.stop()
    await h?.stop()
  })

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
    const o = platformOrder({ buyer_message: 'Please <b>rush</b> & ping @everyone' })
    await processPlatformOrder(deps(), shopId, o)
    dispatcher.kick()
    const msg = await posted(o.id)
    expect(msg.text).toContain('Please <b>rush</b> & ping @everyone')
    expect(msg.html).toContain('Please &lt;b&gt;rush&lt;/b&gt; &amp; ping @everyone')
    // the same order again posts nothing twice
    await processPlatformOrder(deps(), shopId, o)
    await dispatcher.drainOnce()
    expect(h.tg.sent(GROUP_ID).filter((m) => m.text?.includes(o.id) && m.text.includes('Please'))).toHaveLength(1)
  })

  let cancelMsg: StoredMessage
  let cancelId: string
  let orderId: string
  it('posts a buyer cancellation request with Accept and Reject', async () => {
    const o = platformOrder()
    orderId = o.id
    await processPlatformOrder(deps(), shopId, o)
    const c = request(o.id, new Date())
    cancelId = c.cancel_id
    await processPlatformCancellation(deps(), shopId, c)
    dispatcher.kick()
    cancelMsg = await posted(`Cancellation request for order ${o.id}`)
    expect(cancelMsg.text).toContain('Changed my mind <b>sorry</b> & @shop')
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
    expect(shop.calls).toHaveLength(0)
  })

  it('Accept by an operator reaches the shop once and edits the message: outcome, who, no buttons', async () => {
    const data = h.tg.button(cancelMsg, 'Accept')
    const before = h.tg.sent(GROUP_ID).length
    h.tg.press(GROUP_ID, cancelMsg.message_id, admin, data)
    h.tg.press(GROUP_ID, cancelMsg.message_id, admin, data) // a double press
    await h.tg.waitFor(() => cancelMsg.edits > 0 && !cancelMsg.reply_markup, 10_000, 'the outcome edit')
    expect(cancelMsg.text).toContain(`order ${orderId}`)
    expect(cancelMsg.text).toMatch(/Accepted by Lin 林 at \d{4}-\d\d-\d\d \d\d:\d\d \(Asia\/Shanghai\)/)
    expect(shop.calls.filter((c) => c.method === 'approveCancellation')).toEqual([{ method: 'approveCancellation', args: [shopId, cancelId, `${cancelId}-accept`] }])
    // each press is answered: one confirmation, one "already decided / being decided" refusal
    const answers = await h.tg.waitFor(() => { const r = h.tg.sent(GROUP_ID).slice(before).filter((m) => m.message_id !== cancelMsg.message_id); return r.length >= 2 && r }, 10_000, 'both answers')
    expect(answers.map((m) => m.text).join('\n')).toMatch(/Lin 林: .*(already|answering)/i)
  })

  it('Reject asks for a reason as buttons, and the chosen reason reaches the shop', async () => {
    const o = platformOrder()
    await processPlatformOrder(deps(), shopId, o)
    const c = request(o.id, new Date())
    await processPlatformCancellation(deps(), shopId, c)
    dispatcher.kick()
    const msg = await posted(`Cancellation request for order ${o.id}`)
    const before = h.tg.sent(GROUP_ID).length
    h.tg.press(GROUP_ID, msg.message_id, admin, h.tg.button(msg, 'Reject'))
    const picker = await h.tg.nextSent(GROUP_ID, before, 10_000)
    expect(picker.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(shop.reasons.map((r) => r.text))
    const beforeReason = h.tg.sent(GROUP_ID).length
    h.tg.press(GROUP_ID, picker.message_id, admin, h.tg.button(picker, 'already packed'))
    const done = await h.tg.nextSent(GROUP_ID, beforeReason, 10_000)
    expect(done.text).toMatch(/reject/i)
    await h.tg.waitFor(() => msg.edits > 0 && !msg.reply_markup, 10_000, 'the reject outcome edit')
    expect(msg.text).toMatch(/Rejected by Lin 林/)
    expect(shop.calls.filter((x) => x.method === 'rejectCancellation')).toEqual([
      { method: 'rejectCancellation', args: [shopId, c.cancel_id, 'reject_reason_already_packed', '', `${c.cancel_id}-reject`] },
    ])
  })

  it('waits out a 429 from the Bot API and loses nothing', async () => {
    h.tg.fail({ code: 429, retryAfter: 1, count: 2, methods: ['sendMessage'] })
    const orders = [platformOrder(), platformOrder()]
    for (const o of orders) await processPlatformOrder(deps(), shopId, o)
    dispatcher.kick()
    for (const o of orders) await posted(o.id)
    // two answered 429 (retry_after 1 s), then each went through: four attempts, one message each
    const attempts = h.tg.calls.filter((c) => c.method === 'sendMessage' && orders.some((o) => String(c.params.text).includes(o.id)))
    expect(attempts).toHaveLength(4)
    for (const o of orders) expect(h.tg.sent(GROUP_ID).filter((m) => m.text?.includes(o.id))).toHaveLength(1)
  }, 15_000)

  it('/export returns a document the test reads back; bad arguments get a clear reply', async () => {
    const o = platformOrder({ at: new Date(Date.now() - 3_600_000), buyer_message: '=cmd() <b>&</b>' })
    await processPlatformOrder(deps(), shopId, o)
    const before = h.tg.sent(GROUP_ID).length
    h.tg.userSays(GROUP_ID, admin, '/export status=awaiting_shipment time=paid template=order_list format=csv')
    const doc = await h.tg.waitFor(() => h.tg.sent(GROUP_ID).slice(before).find((m) => m.document), 10_000, 'the export document')
    expect(doc.document!.file_name).toMatch(/\.csv$/)
    const rows: string[][] = parse(doc.bytes!, { bom: true, relax_column_count: true })
    expect(rows.length).toBeGreaterThan(1)
    expect(rows.some((r) => r.some((cell) => cell.includes(o.id)))).toBe(true)

    const bad = await say('/export status=nonsense format=csv')
    expect(bad.text).toMatch(/Unknown status "nonsense"\. Use one of: all, unpaid, awaiting_shipment/)
    const old = await say('/export from=2020-01-01 to=2020-01-31')
    expect(old.text).toMatch(/90 days/)
    const typo = await say('/export colour=red')
    expect(typo.text).toMatch(/Unknown key “colour”/)
    expect(h.tg.sent(GROUP_ID).slice(before).filter((m) => m.document)).toHaveLength(1)
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
    expect(doc.bytes!.subarray(0, 2).toString()).toBe('PK')
  }, 20_000)

  it('a forum topic is its own channel: linked there, orders arrive in that topic', async () => {
    const code = await createLinkCode(get().db, shopId, systemClock)
    const before = h.tg.sent(FORUM_ID).length
    h.tg.userSays(FORUM_ID, admin, `/link ${code}`, { threadId: 7 })
    const linked = await h.tg.nextSent(FORUM_ID, before)
    expect(linked.message_thread_id).toBe(7)
    expect(linked.text).toContain('Linked to Case & Co <UK>')
    const o = platformOrder()
    await processPlatformOrder(deps(), shopId, o)
    dispatcher.kick()
    const inTopic = await h.tg.waitFor(() => h.tg.sent(FORUM_ID, 7).find((m) => m.text?.includes(o.id)), 10_000, 'the order in the topic')
    expect(inTopic.message_thread_id).toBe(7)
    await posted(o.id) // the group follows the shop too
  })
})
