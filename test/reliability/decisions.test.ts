/**
 * Guarantees 4 and 5, decisions under pressure, with the real TikTok Shop client over HTTP to the
 * simulator (the shop calls are counted where they arrive):
 *  - 100 presses at once on one buyer request (accept and reject, 10 users, 4 of them without the
 *    operator role) → exactly one approve/reject reaches the shop, one decision is stored, one audit
 *    row, one edit; every other presser is told who decided (or that they lack the role).
 *  - the shop failing on approve (503 outage, or no answer until the client's timeout) → the presser
 *    is told, the request stays pending with no claim left behind, and a later press works.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { auditLog, cancellations, outbox } from '../../db/schema.js'
import { createAssistant } from '../../src/assistant/index.js'
import type { Actor, ChannelRef, Reply } from '../../src/assistant/types.js'
import { systemClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { tokenCipher } from '../../src/shop/crypto.js'
import { createTikTokConnection } from '../../src/shop/tiktok/connection.js'
import { processPlatformCancellation } from '../../src/workflow/process-cancellation.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { APP_KEY, APP_SECRET, CIPHER_KEY, connectSimulatedShop, followingChannel, type ShopSetup } from './support.js'

const CHAT = -1007400000001
const ref: ChannelRef = { platform: 'telegram', externalId: String(CHAT), title: 'team' }
const users: Actor[] = Array.from({ length: 10 }, (_, i) => ({ platform: 'telegram', userId: `70${i}`, displayName: `Member ${i}` }))
const operators = users.slice(0, 6)
const withoutRole = users.slice(6)

describeEachDb('reliability: decisions under races and shop failures', (get) => {
  let shop: ShopSetup
  const deps = () => ({ db: get().db, clock: systemClock, logger: silentLogger })
  const assistant = () => createAssistant({ ...deps(), shop: shop.conn.client, defaults: { locale: 'en', timeZone: 'UTC' } })

  beforeAll(async () => {
    shop = await connectSimulatedShop(get().db)
    await followingChannel(get().db, { platform: 'telegram', externalId: String(CHAT), shopId: shop.shopId, operators: operators.map((u) => `telegram:${u.userId}`) })
  }, 60_000)
  afterAll(async () => {
    await shop?.sim.close()
  })

  /** A paid order with a pending buyer request, made in the simulator and read in through the client. */
  async function pendingRequest(): Promise<string> {
    const so = shop.sim.state.createOrder({ notify: false })
    const [po] = await shop.conn.client.getOrders(shop.shopId, [so.o.id])
    await processPlatformOrder(deps(), shop.shopId, po)
    const c = shop.sim.state.buyerRequestCancel(so.o.id)
    const { items } = await shop.conn.client.searchCancellations(shop.shopId, { cancelIds: [c.cancel_id] })
    await processPlatformCancellation(deps(), shop.shopId, items[0])
    return c.cancel_id
  }
  const shopDecisions = (cancelId: string) =>
    shop.sim.requests.filter((r) => r.method === 'POST' && r.path.includes(cancelId) && /\/(approve|reject)$/.test(r.path))
  const row = async (cancelId: string) => (await get().db.select().from(cancellations).where(eq(cancellations.id, cancelId)))[0]
  const press = (who: Actor, cancelId: string, decision: 'accept' | 'reject') =>
    assistant().handle(ref, who, { name: 'action', action: decision === 'accept' ? { type: 'cancel.accept', cancelId } : { type: 'cancel.reject', cancelId, reason: 0 } })

  it('100 presses at once (accept and reject, 10 users, 4 without the role) → one shop call, one decision, the rest told who decided', async () => {
    const { db } = get()
    const cancelId = await pendingRequest()
    const presses = Array.from({ length: 100 }, (_, i) => ({ who: users[i % 10], decision: (Math.floor(i / 10) % 2 ? 'reject' : 'accept') as 'accept' | 'reject' }))
    const replies: Reply[] = await Promise.all(presses.map((p) => press(p.who, cancelId, p.decision)))

    const calls = shopDecisions(cancelId)
    expect(calls, JSON.stringify(calls.map((c) => c.path))).toHaveLength(1)
    expect(calls[0].code).toBe(0)
    const r = await row(cancelId)
    expect(['accepted', 'rejected']).toContain(r.state)
    expect(calls[0].path.endsWith(r.decision === 'accept' ? '/approve' : '/reject')).toBe(true)
    const winner = r.decidedByName!
    expect(operators.map((u) => u.displayName)).toContain(winner)

    const ok = replies.filter((x) => x.ok)
    expect(ok).toHaveLength(1)
    presses.forEach((p, i) => {
      const reply = replies[i]
      if (reply.ok) return
      expect(reply.message.title.length).toBeGreaterThan(0)
      if (withoutRole.includes(p.who)) expect(reply.message.title).toMatch(/^Only a channel operator can do this; your role here is/)
      else expect(reply.message.title).toMatch(new RegExp(`^(Already (accepted|rejected) by ${winner} at|${winner} is answering this request right now)`))
    })
    expect(await db.$count(auditLog, eq(auditLog.subject, `cancel:${cancelId}`))).toBe(1)
    expect(await db.$count(outbox, and(eq(outbox.refKey, `cancel:${cancelId}`), eq(outbox.kind, 'edit')))).toBe(1)
    // the platform's own state agrees: decided once
    const platform = (await shop.conn.client.searchCancellations(shop.shopId, { cancelIds: [cancelId] })).items[0]
    expect(platform.cancel_status).not.toBe('CANCELLATION_REQUEST_PENDING')
  }, 60_000)

  it('a 503 outage on approve → the presser is told, the request stays pending, a later press works', async () => {
    const cancelId = await pendingRequest()
    shop.sim.setOutage(true)
    const failed = await press(operators[0], cancelId, 'accept')
    shop.sim.setOutage(false)
    expect(failed.ok).toBe(false)
    expect(failed.message.title).toMatch(/^TikTok Shop did not take the answer: .+\. The request is still pending; try again\.$/)
    expect(await row(cancelId)).toMatchObject({ state: 'pending', claimedBy: null, decision: null })
    expect(shopDecisions(cancelId).every((c) => c.httpStatus === 503)).toBe(true)
    expect(shopDecisions(cancelId).length).toBeGreaterThan(0)

    const again = await press(operators[1], cancelId, 'accept')
    expect(again.ok).toBe(true)
    expect(await row(cancelId)).toMatchObject({ state: 'accepted', decidedByName: operators[1].displayName })
    expect(shopDecisions(cancelId).filter((c) => c.code === 0)).toHaveLength(1)
  })

  it('no answer from the shop (timeout) on reject → the presser is told, the request stays pending, a later press works', async () => {
    const { db } = get()
    const cancelId = await pendingRequest()
    // a shop API that accepts connections and never answers
    const sockets = new Set<Socket>()
    const blackHole: Server = createServer((s) => {
      sockets.add(s)
      s.on('error', () => {})
    })
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r))
    const port = (blackHole.address() as { port: number }).port
    const silent = createTikTokConnection({
      settings: { appKey: APP_KEY, appSecret: APP_SECRET, apiBaseUrl: `http://127.0.0.1:${port}`, authBaseUrl: shop.sim.authBaseUrl },
      db,
      cipher: tokenCipher(CIPHER_KEY),
      timeoutMs: 300,
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
    })
    try {
      const stuck = createAssistant({ ...deps(), shop: { ...shop.conn.client, rejectReasons: shop.conn.client.rejectReasons.bind(shop.conn.client), rejectCancellation: silent.client.rejectCancellation.bind(silent.client) } as typeof shop.conn.client, defaults: { locale: 'en', timeZone: 'UTC' } })
      const t0 = performance.now()
      const failed = await stuck.handle(ref, operators[2], { name: 'action', action: { type: 'cancel.reject', cancelId, reason: 0 } })
      expect(performance.now() - t0).toBeLessThan(10_000)
      expect(failed.ok).toBe(false)
      expect(failed.message.title).toMatch(/The request is still pending; try again\.$/)
      expect(await row(cancelId)).toMatchObject({ state: 'pending', claimedBy: null, decision: null })
    } finally {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => blackHole.close(() => r()))
    }
    const again = await press(operators[3], cancelId, 'reject')
    expect(again.ok).toBe(true)
    expect(await row(cancelId)).toMatchObject({ state: 'rejected', decidedByName: operators[3].displayName })
    expect(shopDecisions(cancelId)).toHaveLength(1)
  })
})
