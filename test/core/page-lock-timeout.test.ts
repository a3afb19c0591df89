/**
 * A page of orders waits for a row lock only so long (PageFlow.lockTimeoutMs): a page that waits for
 * a lock held by a transaction that waits for it in turn (outside the database's sight) fails, and
 * the next sync retries, instead of both waiting for ever.
 */
import { eq, sql } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { orders } from '../../db/schema.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { processPlatformOrderPage } from '../../src/workflow/process-order-page.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seedShop } from '../support/fixtures.js'

describeEachDb('a page waiting for a row lock', (get, kind) => {
  // PGlite has one connection: no other transaction can hold a lock while a page runs
  it.skipIf(kind !== 'postgres')('fails after its lock timeout; once the lock is free the page is stored', async () => {
    const { db } = get()
    const shop = await seedShop(db)
    const deps = { db, clock: new ManualClock(new Date()), logger: silentLogger }
    const o = platformOrder({ status: 'AWAITING_SHIPMENT', at: '2026-11-20T10:00:00Z' })
    await processPlatformOrder(deps, shop.id, o)
    const newer = { ...o, status: 'IN_TRANSIT', update_time: Number(o.update_time) + 60 }

    let release!: () => void
    const held = new Promise<void>((ok) => (release = ok))
    let locked!: () => void
    const isLocked = new Promise<void>((ok) => (locked = ok))
    const holder = db.transaction(async (tx) => {
      await tx.select().from(orders).where(eq(orders.id, o.id)).for('update')
      locked()
      await held
    })
    await isLocked
    const t = performance.now()
    const failed = await processPlatformOrderPage(deps, shop.id, [newer], { lockTimeoutMs: 300 }).then(
      () => 'stored',
      (e: { code?: string; cause?: { code?: string } }) => e.cause?.code ?? e.code,
    )
    const waited = performance.now() - t
    release()
    await holder
    expect(failed).toBe('55P03') // lock_not_available
    expect(waited).toBeGreaterThanOrEqual(250)
    const [row] = await db.select({ s: orders.platformStatus }).from(orders).where(eq(orders.id, o.id))
    expect(row.s).toBe('AWAITING_SHIPMENT') // nothing of the page kept
    // the lock is free: stored; and the setting ended with the page's transaction
    expect((await processPlatformOrderPage(deps, shop.id, [newer])).stored).toBe(1)
    const [{ lock_timeout }] = await db.execute<{ lock_timeout: string }>(sql`show lock_timeout`)
    expect(lock_timeout).toBe('0')
  })
})
