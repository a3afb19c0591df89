/**
 * A shop the sync cannot reach, against the simulator over HTTP: its chats are told once the syncs
 * have failed for OUTAGE_NOTICE_AFTER_MS, once per outage however many syncs fail after, and told
 * again when a sync works; a short outage is never told. Each chat gets the words of its language.
 */
import { eq, like } from 'drizzle-orm'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { outbox, shops } from '../../db/schema.js'
import type { NeutralMessage } from '../../src/notifications/message.js'
import { OUTAGE_NOTICE_AFTER_MS } from '../../src/shop/sync-outage.js'
import { syncShop } from '../../src/shop/sync.js'
import { describeEachDb } from '../support/db.js'
import { shopHarness, twoFollowingChats, type ShopHarness } from './harness.js'

describeEachDb('a shop the sync cannot reach', (get) => {
  let h: ShopHarness
  let en: number
  let zh: number
  beforeEach(async () => {
    h = await shopHarness(get(), { sim: { seed: Math.floor(Math.random() * 1e9) } })
    const chats = await twoFollowingChats(get().db, h.shopId)
    en = chats.en
    zh = chats.zh
    h.sim.generateOrders({ count: 20, days: 2, seed: 11 })
    h.clock.advance(1000)
  })
  afterEach(() => h?.close())

  const notices = async () =>
    (await get().db.select().from(outbox).where(like(outbox.dedupeKey, `sync-%:${h.shopId}:%`)))
      .map((m) => ({ key: m.dedupeKey, channelId: m.channelId, msg: m.payload as NeutralMessage }))
      .sort((a, b) => a.key.localeCompare(b.key) || a.channelId - b.channelId)
  const shopRow = async () => (await get().db.select().from(shops).where(eq(shops.id, h.shopId)))[0]
  /** one sync, then the clock moves on five minutes (the default schedule) */
  const syncThenWait = async () => {
    const r = await syncShop(h.syncDeps(), h.shopId)
    h.clock.advance(5 * 60_000)
    return r
  }

  it('told once when every sync has failed for 15 minutes, and once when it works again', async () => {
    expect((await syncThenWait()).ok).toBe(true)
    h.sim.setOutage(true)
    const firstFailure = h.clock.now()
    // failures at 0, 5 and 10 minutes: not yet
    for (let i = 0; i < 3; i++) expect((await syncThenWait()).ok).toBe(false)
    expect(await notices()).toEqual([])
    expect((await shopRow()).syncFailingSince).toEqual(firstFailure)
    // at 15 minutes: each following chat is told, in its language, with the failure
    expect((await syncThenWait()).ok).toBe(false)
    expect(OUTAGE_NOTICE_AFTER_MS).toBe(15 * 60_000)
    const down = await notices()
    expect(down.map((n) => [n.key, n.channelId])).toEqual([
      [`sync-down:${h.shopId}:${firstFailure.toISOString()}@${en}`, en],
      [`sync-down:${h.shopId}:${firstFailure.toISOString()}@${zh}`, zh],
    ])
    const enDown = down.find((n) => n.channelId === en)!.msg
    expect(enDown).toMatchObject({ kind: 'shop_sync_down', tone: 'danger', title: `Cannot reach TikTok Shop for ${(await shopRow()).name}` })
    expect(JSON.stringify(enDown.lines)).toMatch(/Last failure: ","orders: TikTok Shop is not answering/)
    expect(enDown.lines![0]).toEqual(['Every sync has failed since ', { at: firstFailure.toISOString(), style: 'both' }])
    expect(down.find((n) => n.channelId === zh)!.msg.title).toMatch(/^无法连接 TikTok Shop/)
    // more failures: nothing more
    for (let i = 0; i < 3; i++) await syncThenWait()
    expect(await notices()).toHaveLength(2)
    // it works again: told once, with the outage's span; the state is cleared
    h.sim.setOutage(false)
    const backAt = h.clock.now()
    expect((await syncThenWait()).ok).toBe(true)
    expect((await syncThenWait()).ok).toBe(true)
    const all = await notices()
    const back = all.filter((n) => n.key.startsWith('sync-back:'))
    expect(back.map((n) => n.channelId).sort()).toEqual([en, zh].sort())
    const enBack = back.find((n) => n.channelId === en)!.msg
    expect(enBack).toMatchObject({ kind: 'shop_sync_back', tone: 'success' })
    expect(enBack.lines![0]).toEqual(['The syncs failed from ', { at: firstFailure.toISOString(), style: 'datetime' }, ' to ', { at: backAt.toISOString(), style: 'datetime' }])
    expect(await shopRow()).toMatchObject({ syncFailingSince: null, syncOutageToldAt: null })
  }, 120_000)

  it('an outage shorter than that is never told; the next one counts from its own start', async () => {
    h.sim.setOutage(true)
    for (let i = 0; i < 3; i++) await syncThenWait() // 0, 5, 10 minutes
    h.sim.setOutage(false)
    expect((await syncThenWait()).ok).toBe(true)
    expect((await shopRow()).syncFailingSince).toBeNull()
    h.sim.setOutage(true)
    const second = h.clock.now()
    for (let i = 0; i < 3; i++) await syncThenWait()
    expect(await notices()).toEqual([])
    await syncThenWait()
    expect((await notices()).map((n) => n.key)).toEqual([`sync-down:${h.shopId}:${second.toISOString()}@${en}`, `sync-down:${h.shopId}:${second.toISOString()}@${zh}`].sort())
  }, 120_000)
})
