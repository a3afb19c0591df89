import { and, eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { auditLog, cancellations, orders, outbox } from '../../db/schema.js'
import { createAssistant } from '../../src/assistant/index.js'
import { expireCancellations } from '../../src/cancellations/expiry.js'
import { messageText, type NeutralMessage } from '../../src/notifications/message.js'
import { AppError } from '../../src/shared/errors.js'
import { processPlatformCancellation } from '../../src/workflow/process-cancellation.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { buyerRequest, platformOrder, uniqueId } from '../support/fixtures.js'
import { actor, coreDeps, linkedSetup } from './support.js'

async function withRequest(database: Parameters<typeof coreDeps>[0], region = 'GB') {
  const deps = coreDeps(database)
  const setup = await linkedSetup(database, deps, { region })
  const o = platformOrder()
  await processPlatformOrder(deps, setup.shop.id, o)
  const cancelId = uniqueId('4035')
  await processPlatformCancellation(deps, setup.shop.id, buyerRequest(o.id, deps.clock.now(), { cancel_id: cancelId }))
  const operator = actor(uniqueId('op'), { displayName: 'Olga Operator' })
  await setup.run(setup.admin, { name: 'grant', target: { userId: operator.userId, displayName: operator.displayName }, role: 'operator' })
  return { deps, ...setup, order: o, cancelId, operator }
}

describeEachDb('cancellation decisions (R2, R3)', (get, kind) => {
  it('an unauthorised press changes nothing and is told why', async () => {
    const database = get()
    const { deps, run, cancelId } = await withRequest(database)
    const viewer = actor(uniqueId('v'), { displayName: 'Vic Viewer' })
    const r = await run(viewer, { name: 'action', action: { type: 'cancel.accept', cancelId } })
    expect(r).toMatchObject({ ok: false, ephemeral: true })
    expect(r.message.title).toMatch(/Only a channel operator can do this; your role here is viewer/)
    expect(deps.shop.calls.filter((c) => c.method !== 'rejectReasons')).toHaveLength(0)
    const [row] = await database.db.select().from(cancellations).where(eq(cancellations.id, cancelId))
    expect(row).toMatchObject({ state: 'pending', decision: null, claimedBy: null })
    expect(await database.db.$count(auditLog, eq(auditLog.subject, `cancel:${cancelId}`))).toBe(0)
    // a stranger in an unlinked chat cannot even see it
    const other = await createAssistant(deps).handle({ platform: 'telegram', externalId: uniqueId('-9') }, actor('x', { platformOperator: true }), { name: 'action', action: { type: 'cancel.accept', cancelId } })
    expect(other.ok).toBe(false)
    expect(deps.shop.count('approveCancellation')).toBe(0)
  })

  it('accept: calls the shop once with an idempotency key, records who, audits, edits the message; a second press is told who decided', async () => {
    const database = get()
    const { deps, run, cancelId, operator, channelId } = await withRequest(database)
    deps.clock.advanceMinutes(30)
    const r = await run(operator, { name: 'action', action: { type: 'cancel.accept', cancelId } })
    expect(r.ok).toBe(true)
    expect(deps.shop.count('approveCancellation')).toBe(1)
    expect(deps.shop.calls.find((c) => c.method === 'approveCancellation')!.args[2]).toBe(`${cancelId}-accept`)
    const [row] = await database.db.select().from(cancellations).where(eq(cancellations.id, cancelId))
    expect(row).toMatchObject({ state: 'accepted', decision: 'accept', decidedBy: `telegram:${operator.userId}`, decidedByName: 'Olga Operator' })
    expect(row.decidedAt?.toISOString()).toBe('2026-11-20T08:30:00.000Z')
    const [log] = await database.db.select().from(auditLog).where(eq(auditLog.subject, `cancel:${cancelId}`))
    expect(log).toMatchObject({ action: 'cancel.accept', actor: `telegram:${operator.userId}`, actorName: 'Olga Operator', channelId })
    const edit = (await database.db.select().from(outbox).where(and(eq(outbox.refKey, `cancel:${cancelId}`), eq(outbox.kind, 'edit'))))[0]
    const m = edit.payload as NeutralMessage
    expect(m.buttons).toEqual([])
    expect(messageText(m)).toContain('Accepted by Olga Operator at 2026-11-20 08:30 (UTC)')
    const again = await run(actor(uniqueId('op2'), { platformOperator: true }), { name: 'action', action: { type: 'cancel.reject', cancelId, reason: 0 } })
    expect(again.ok).toBe(false)
    expect(again.message.title).toBe('Already accepted by Olga Operator at 2026-11-20 08:30 (UTC).')
    expect(deps.shop.count('rejectCancellation')).toBe(0)
  })

  it('reject offers the platform’s reasons as indexes; a shop failure leaves it pending and says why', async () => {
    const database = get()
    const { deps, run, cancelId, operator } = await withRequest(database)
    const start = await run(operator, { name: 'action', action: { type: 'cancel.reject_start', cancelId } })
    expect(start.choices?.options.map((o) => [o.label, o.action])).toEqual([
      ['Reason A', { type: 'cancel.reject', cancelId, reason: 0 }],
      ['Reason B', { type: 'cancel.reject', cancelId, reason: 1 }],
    ])
    const bad = await run(operator, { name: 'action', action: { type: 'cancel.reject', cancelId, reason: 7 } })
    expect(bad.message.title).toMatch(/not in the list/)
    deps.shop.failNext = new AppError('shop_error', 'this request cannot be rejected (25011011)', { platformCode: 25011011 })
    const failed = await run(operator, { name: 'action', action: { type: 'cancel.reject', cancelId, reason: 1 } })
    expect(failed.ok).toBe(false)
    expect(failed.message.title).toBe('TikTok Shop did not take the answer: this request cannot be rejected (25011011). The request is still pending; try again.')
    const [row] = await database.db.select().from(cancellations).where(eq(cancellations.id, cancelId))
    expect(row).toMatchObject({ state: 'pending', decision: null, claimedBy: null })
    const ok = await run(operator, { name: 'action', action: { type: 'cancel.reject', cancelId, reason: 1 } })
    expect(ok.ok).toBe(true)
    expect(deps.shop.calls.filter((c) => c.method === 'rejectCancellation').map((c) => c.args[2])).toEqual(['reject_reason_b', 'reject_reason_b'])
    const [after] = await database.db.select().from(cancellations).where(eq(cancellations.id, cancelId))
    expect(after).toMatchObject({ state: 'rejected', rejectReason: 'reject_reason_b' })
  })

  it('falls back to the documented reasons when the shop cannot list them', async () => {
    const database = get()
    const { deps, run, cancelId, operator } = await withRequest(database)
    deps.shop.reasons = []
    const start = await run(operator, { name: 'action', action: { type: 'cancel.reject_start', cancelId } })
    expect(start.choices?.options.map((o) => o.label)).toEqual(['Invalid cancellation reason', 'Delivery is on schedule', 'Agreement reached with the buyer', 'The product has been packed'])
  })

  it('US shops: Reject explains that you reject by shipping', async () => {
    const database = get()
    const { deps, run, cancelId, operator } = await withRequest(database, 'US')
    const r = await run(operator, { name: 'action', action: { type: 'cancel.reject_start', cancelId } })
    expect(r.ok).toBe(false)
    expect(r.message.title).toMatch(/In the US you reject a cancellation request by shipping the package/)
    expect(deps.shop.calls).toHaveLength(0)
  })

  it('no answer by the deadline: the request expires, the order ends cancelled, the channel is told', async () => {
    const database = get()
    const { deps, run, cancelId, order, operator } = await withRequest(database)
    const state = async () => (await database.db.select().from(cancellations).where(eq(cancellations.id, cancelId)))[0].state
    deps.clock.advanceHours(47)
    await expireCancellations(deps, deps.clock.now())
    expect(await state()).toBe('pending')
    deps.clock.advanceHours(1)
    expect(await expireCancellations(deps, deps.clock.now())).toBeGreaterThanOrEqual(1)
    expect(await state()).toBe('expired')
    expect(await expireCancellations(deps, deps.clock.now())).toBe(0)
    const [o] = await database.db.select().from(orders).where(eq(orders.id, order.id))
    expect(o.status).toBe('cancelled')
    const notice = (await database.db.select().from(outbox).where(eq(outbox.dedupeKey, `cancel:${cancelId}:expired-notice@${(await run(operator, { name: 'help' })).channel!.id}`)))[0]
    expect((notice.payload as NeutralMessage).title).toBe(`No answer in time: order ${order.id} cancelled`)
    const late = await run(operator, { name: 'action', action: { type: 'cancel.accept', cancelId } })
    expect(late.message.title).toBe('This request is already closed (expired without an answer).')
  })

  it('seller cancel (R2): reasons valid for the status, then the shop call and an audit row; not after shipment', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin } = await linkedSetup(database, deps)
    const o = platformOrder()
    await processPlatformOrder(deps, shop.id, o)
    const ask = await run(admin, { name: 'cancel_order', orderId: o.id })
    expect(ask.choices?.options.map((x) => x.label)).toEqual(['Out of stock', 'Wrong price', 'Cannot deliver to the address', 'Buyer asked to cancel'])
    const bad = await run(admin, { name: 'cancel_order', orderId: o.id, reason: 'because' })
    expect(bad.message.title).toMatch(/not valid for this order. Pick one of: 0 Out of stock/)
    const done = await run(admin, { name: 'action', action: { type: 'order.cancel', orderId: o.id, reason: 0 } })
    expect(done.ok).toBe(true)
    expect(deps.shop.calls.find((c) => c.method === 'cancelOrder')!.args).toEqual([shop.id, o.id, 'seller_cancel_reason_out_of_stock'])
    const [log] = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'order.cancel'), eq(auditLog.subject, `order:${o.id}`)))
    expect(log.actor).toBe(`telegram:${admin.userId}`)
    const shipped = platformOrder({ status: 'IN_TRANSIT' })
    await processPlatformOrder(deps, shop.id, shipped)
    const refused = await run(admin, { name: 'cancel_order', orderId: shipped.id, reason: '0' })
    expect(refused.message.title).toMatch(/can only be cancelled before it ships/)
    expect(deps.shop.count('cancelOrder')).toBe(1)
    // shipment arranged, not yet collected: a US seller may still cancel; elsewhere it is said as such, not "before it ships"
    const arranged = platformOrder({ status: 'AWAITING_COLLECTION' })
    await processPlatformOrder(deps, shop.id, arranged)
    expect((await run(admin, { name: 'cancel_order', orderId: arranged.id })).choices?.options).toHaveLength(4)
    const uk = await linkedSetup(database, deps, { region: 'GB', currency: 'GBP' })
    const ukArranged = platformOrder({ status: 'AWAITING_COLLECTION' })
    await processPlatformOrder(deps, uk.shop.id, ukArranged)
    const tooLate = await uk.run(uk.admin, { name: 'cancel_order', orderId: ukArranged.id })
    expect(tooLate.message.title).toBe(`Order ${ukArranged.id} already has its shipment arranged (it waits for the carrier): TikTok Shop lets a seller cancel only before that. Deal with it in Seller Center, or hand it over.`)
    // and its message offers no Cancel button, which the US order's still does
    const cancelButton = async (r: typeof uk.run, a: typeof uk.admin, id: string) =>
      (await r(a, { name: 'order', orderId: id })).message.buttons.flat().some((b) => b.action.type === 'order.cancel_start')
    expect(await cancelButton(uk.run, uk.admin, ukArranged.id)).toBe(false)
    expect(await cancelButton(run, admin, arranged.id)).toBe(true)
    expect(deps.shop.count('cancelOrder')).toBe(1)
  })

  it('seller cancel is decided once: a failed shop call frees the order for the next press; after success everyone is told who cancelled', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin } = await linkedSetup(database, deps)
    const o = platformOrder()
    await processPlatformOrder(deps, shop.id, o)
    deps.shop.failNext = new AppError('shop_unavailable', 'TikTok Shop is not answering')
    const failed = await run(admin, { name: 'action', action: { type: 'order.cancel', orderId: o.id, reason: 0 } })
    expect(failed.ok).toBe(false)
    const [free] = await database.db.select({ by: orders.sellerCancelBy }).from(orders).where(eq(orders.id, o.id))
    expect(free.by).toBeNull()
    const done = await run(admin, { name: 'action', action: { type: 'order.cancel', orderId: o.id, reason: 0 } })
    expect(done.ok).toBe(true)
    const again = await run(admin, { name: 'action', action: { type: 'order.cancel', orderId: o.id, reason: 1 } })
    expect(again.message.title).toMatch(new RegExp(`^Order ${o.id} was already cancelled by .+ at 2026-11-20`))
    expect(deps.shop.count('cancelOrder')).toBe(2)
    expect(await database.db.$count(auditLog, and(eq(auditLog.action, 'order.cancel'), eq(auditLog.subject, `order:${o.id}`)))).toBe(1)
  })

  if (kind === 'postgres')
    it('30 concurrent seller-cancel presses on one order: one shop call, one cancellation, everyone else told who', async () => {
      const database = get()
      const deps = coreDeps(database)
      const { shop, run } = await linkedSetup(database, deps)
      const o = platformOrder()
      await processPlatformOrder(deps, shop.id, o)
      deps.shop.delayMs = 30
      const pressers = Array.from({ length: 30 }, (_, i) => actor(`canceller${i}`, { displayName: `Canceller ${i}`, platformOperator: true }))
      const replies = await Promise.all(pressers.map((p) => run(p, { name: 'action', action: { type: 'order.cancel', orderId: o.id, reason: 0 } })))
      expect(deps.shop.count('cancelOrder')).toBe(1)
      expect(replies.filter((r) => r.ok)).toHaveLength(1)
      const [c] = await database.db.select().from(cancellations).where(and(eq(cancellations.orderId, o.id), eq(cancellations.role, 'SELLER')))
      for (const r of replies.filter((x) => !x.ok)) {
        expect(r.message.title).toMatch(/^(Order \d+ was already cancelled by Canceller \d+ at|Canceller \d+ is cancelling order \d+ right now)/)
        expect(r.message.title).toContain(c.decidedByName!)
      }
      expect(await database.db.$count(auditLog, and(eq(auditLog.action, 'order.cancel'), eq(auditLog.subject, `order:${o.id}`)))).toBe(1)
    })

  if (kind === 'postgres')
    it('60 concurrent accept/reject presses on one request: one shop call, one decision, everyone else told who decided', async () => {
      const database = get()
      const { deps, run, cancelId, admin } = await withRequest(database)
      deps.shop.delayMs = 30
      const pressers = Array.from({ length: 60 }, (_, i) => actor(`racer${i}`, { displayName: `Racer ${i}`, platformOperator: true }))
      const replies = await Promise.all(
        pressers.map((p, i) =>
          run(p, { name: 'action', action: i % 2 ? { type: 'cancel.accept', cancelId } : { type: 'cancel.reject', cancelId, reason: 0 } }),
        ),
      )
      const decisions = deps.shop.count('approveCancellation') + deps.shop.count('rejectCancellation')
      expect(decisions).toBe(1)
      const winners = replies.filter((r) => r.ok)
      expect(winners).toHaveLength(1)
      const [row] = await database.db.select().from(cancellations).where(eq(cancellations.id, cancelId))
      expect(['accepted', 'rejected']).toContain(row.state)
      const winner = row.decidedByName!
      for (const r of replies.filter((x) => !x.ok)) {
        expect(r.message.title).toMatch(/^(Already (accepted|rejected) by Racer \d+ at|Racer \d+ is answering this request right now)/)
        expect(r.message.title).toContain(winner)
      }
      expect(await database.db.$count(auditLog, eq(auditLog.subject, `cancel:${cancelId}`))).toBe(1)
      expect((await database.db.select().from(outbox).where(and(eq(outbox.refKey, `cancel:${cancelId}`), eq(outbox.kind, 'edit'))))).toHaveLength(1)
      const late = await run(admin, { name: 'action', action: { type: 'cancel.accept', cancelId } })
      expect(late.message.title).toMatch(new RegExp(`^Already (accepted|rejected) by ${winner} at 2026-11-20 08:00 \\(UTC\\)\\.$`))
    })
})
