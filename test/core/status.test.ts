/**
 * /status through the assistant: for each followed shop, whether it is read (last sync that worked,
 * or since when every sync has failed, and why), whether its authorization holds or expires soon;
 * then the messages waiting to be sent to the chat. Any member may ask.
 */
import { eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { outbox, shops, syncState, webhookEvents } from '../../db/schema.js'
import type { Line } from '../../src/notifications/message.js'
import { describeEachDb } from '../support/db.js'
import { uniqueId } from '../support/fixtures.js'
import { actor, coreDeps, linkedSetup } from './support.js'

const text = (lines: Line[] | undefined) => (lines ?? []).map((l) => l.map((x) => (typeof x === 'string' ? x : 'at' in x ? `<${x.at}>` : 'bold' in x ? `*${x.bold}*` : x.code)).join(''))

describeEachDb('/status', (get) => {
  it('says for each shop whether it is read, and what waits to be sent here', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin, channelId } = await linkedSetup(database, deps, { name: 'Shop Alpha', source: 'simulator' })
    const now = deps.clock.now()

    // linked, never synced yet; nothing waiting
    expect(text((await run(admin, { name: 'status' })).message.lines)).toEqual([
      '*Shop Alpha* (simulated shop)',
      '… Not read yet: the first sync runs within a few minutes.',
      'No event from TikTok Shop (webhook) yet: orders come by the sync, every few minutes.',
      'No message is waiting to be sent here.',
    ])

    // a sync worked 3 minutes ago; two messages wait, and the authorization expires in 10 days
    const okAt = new Date(now.getTime() - 3 * 60_000)
    await database.db.insert(syncState).values({ shopId: shop.id, kind: 'orders', lastOkAt: okAt, lastRunAt: okAt })
    const expires = new Date(now.getTime() + 10 * 86_400_000)
    await database.db.update(shops).set({ authExpiresAt: expires }).where(eq(shops.id, shop.id))
    const queuedAt = new Date(now.getTime() - 60_000)
    for (const k of ['a', 'b']) await database.db.insert(outbox).values({ channelId, dedupeKey: `status-test:${uniqueId(k)}`, payload: {}, createdAt: queuedAt })
    // two webhooks received, the latest 5 minutes ago (and one of another shop, later)
    const hookAt = new Date(now.getTime() - 5 * 60_000)
    for (const [shopId, t] of [[shop.id, hookAt.getTime() - 60_000], [shop.id, hookAt.getTime()], ['other-shop', now.getTime()]] as const)
      await database.db.insert(webhookEvents).values({ eventKey: uniqueId('ev'), type: 1, shopId, payload: {}, receivedAt: new Date(t) })
    expect(text((await run(admin, { name: 'status' })).message.lines)).toEqual([
      '*Shop Alpha* (simulated shop)',
      `✔ Reading the shop: last sync <${okAt.toISOString()}>`,
      `Events from TikTok Shop (webhooks): last one <${hookAt.toISOString()}>`,
      `⚠ The shop’s authorization expires <${expires.toISOString()}>`,
      `2 message(s) waiting to be sent here, the oldest since <${queuedAt.toISOString()}>`,
    ])

    // every sync failing since 20 minutes: said so, with the last failure
    const since = new Date(now.getTime() - 20 * 60_000)
    await database.db.update(shops).set({ syncFailingSince: since }).where(eq(shops.id, shop.id))
    await database.db.update(syncState).set({ lastError: 'orders: TikTok Shop is not answering (3 tries)' }).where(eq(syncState.shopId, shop.id))
    const down = text((await run(admin, { name: 'status' })).message.lines)
    expect(down[1]).toBe(`✖ Cannot reach TikTok Shop: every sync has failed since <${since.toISOString()}>: orders: TikTok Shop is not answering (3 tries)`)

    // authorization withdrawn: that first
    await database.db.update(shops).set({ authorized: false, deauthorizedAt: now }).where(eq(shops.id, shop.id))
    expect(text((await run(admin, { name: 'status' })).message.lines)[1]).toMatch(/^✖ The seller withdrew this app’s access: nothing arrives from this shop\. Reconnect it with npm run cli -- shop connect/)

    // any member may ask (a member no one gave a role is a viewer)
    const member = await run(actor(uniqueId('s')), { name: 'status' })
    expect(member.ok).toBe(true)
  })

  it('in Chinese for a Chinese chat', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { run, admin } = await linkedSetup(database, deps, { name: '演示店铺', source: 'tiktok' })
    await run(admin, { name: 'settings', language: 'zh-CN' })
    const r = await run(admin, { name: 'status' })
    expect(r.message.title).toBe('本群状态')
    expect(text(r.message.lines)).toEqual(['*演示店铺*', '… 尚未读取:首次同步将在几分钟内运行。', '尚未收到 TikTok Shop 的事件推送(webhook):订单由同步获取,每几分钟一次。', '没有等待发送到这里的消息。'])
  })
})
