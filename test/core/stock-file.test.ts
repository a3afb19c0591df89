import { and, eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { auditLog, outbox, stockLevels } from '../../db/schema.js'
import type { IncomingFile } from '../../src/assistant/types.js'
import { messageText, type NeutralMessage } from '../../src/notifications/message.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder } from '../support/fixtures.js'
import { minimalXlsx } from '../support/xlsx-fixture.js'
import { actor, coreDeps, importStockCsv, linkedSetup, twoShopSetup } from './support.js'

/** A file as an adapter hands it over, counting how often its bytes were fetched. */
function sent(filename: string, bytes: Uint8Array | string, sizeBytes?: number) {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes
  const file = { filename, sizeBytes, reads: 0, read: async () => (file.reads++, data) }
  return file satisfies IncomingFile
}

describeEachDb('/stock with a stock file sent in the chat', (get, kind) => {
  it('sets every SKU in it, lists what changed, and edits the posts of the orders it covers now', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin, channelId } = await linkedSetup(database, deps)
    await run(admin, { name: 'stock', sku: 'SKU-A', quantity: 0 })
    await run(admin, { name: 'stock', sku: 'SKU-B', quantity: 10 })
    const o = platformOrder({ at: '2026-11-20T07:00:00Z' }) // 2 × SKU-A, 1 × SKU-B: short of SKU-A
    await processPlatformOrder(deps, shop.id, o)

    // a viewer may not change stock: refused before the file is fetched
    const viewer = actor('viewer-1')
    await run(admin, { name: 'grant', target: { userId: viewer.userId, displayName: 'V' }, role: 'viewer' })
    const refused = sent('stock.csv', 'seller_sku,quantity\nSKU-A,5\n')
    const no = await run(viewer, { name: 'stock', file: refused })
    expect(no.ok).toBe(false)
    expect(refused.reads).toBe(0)

    // sku in another letter case, a new SKU, one unchanged
    const file = sent('库存 11-27.csv', 'seller_sku,quantity,note\nsku-a,5,restock\nSKU-B,10,\nLAMP-LED,4,\n')
    const r = await run(admin, { name: 'stock', file })
    expect(r.ok).toBe(true)
    expect(r.message.title).toBe('Stock imported from 库存 11-27.csv. SKUs in it: 3; changed: 2.')
    expect(messageText(r.message)).toContain(
      [
        'LAMP-LED: 0 → 4',
        'SKU-A: 0 → 5',
        'line 2: sku-a is the shop’s SKU-A (another letter case): stored as SKU-A',
        'New to this shop (1: no stock recorded before, in no order of the last 90 days; a typo, or a SKU a spreadsheet changed, such as a long number saved as 1.2E+11?): LAMP-LED',
        'Open orders whose stock cover changed: 1. Checked again: 1 have every item in stock, 0 do not.',
        'Their posts are being updated (1).',
      ].join('\n'),
    )
    const levels = await database.db.select({ sku: stockLevels.sellerSku, n: stockLevels.onHand }).from(stockLevels).where(eq(stockLevels.shopId, shop.id)).orderBy(stockLevels.sellerSku)
    expect(levels.map((l) => [l.sku, l.n])).toEqual([['LAMP-LED', 4], ['SKU-A', 5], ['SKU-B', 10]])
    // the order's post now says its items are in stock
    const [edit] = await database.db.select().from(outbox).where(and(eq(outbox.channelId, channelId), eq(outbox.refKey, `order:${o.id}`), eq(outbox.kind, 'edit')))
    expect(messageText(edit.payload as NeutralMessage)).toContain('All items in stock.')
    // audited with who sent it, from which chat
    const [a] = await database.db.select().from(auditLog).where(and(eq(auditLog.action, 'stock.import'), eq(auditLog.subject, `stock:${shop.id}`)))
    expect(a).toMatchObject({ actor: `telegram:${admin.userId}`, channelId })
  })

  it('reads Excel files and the GBK CSV that Excel saves on a Chinese Windows, with Chinese headers', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { run, admin } = await linkedSetup(database, deps)
    const xlsx = await run(admin, { name: 'stock', file: sent('库存.xlsx', minimalXlsx([['卖家SKU', '库存', '备注'], ['TOTE-BLU', 12, '到货'], ['手机壳-黑', 3]])) })
    expect(xlsx.message.title).toBe('Stock imported from 库存.xlsx. SKUs in it: 2; changed: 2.')
    // 卖家SKU,库存 / 手机壳-黑,7 in GB18030 (GBK)
    const gbk = new Uint8Array(Buffer.from('c2f4bcd2534b552cbfe2b4e60d0acad6bbfabfc72dbada2c370d0a', 'hex'))
    const csv = await run(admin, { name: 'stock', file: sent('kucun.csv', gbk) })
    expect(csv.message.title).toBe('Stock imported from kucun.csv. SKUs in it: 1; changed: 1.')
    expect(messageText(csv.message)).toContain('手机壳-黑: 3 → 7')
  })

  it('a SKU of digits saved without its leading zeros (a spreadsheet opened the CSV) is stored as the shop’s', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin } = await linkedSetup(database, deps)
    for (const sku of ['00123', '0456', '00456', '789']) await run(admin, { name: 'stock', sku, quantity: 1 })
    const r = await run(admin, { name: 'stock', file: sent('count.csv', 'seller_sku,quantity\n123,5\n789,2\n0789,3\n') })
    expect(r.ok).toBe(true)
    const text = messageText(r.message)
    expect(text).toContain('line 2: 123 is the shop’s 00123 without its leading zeros (a spreadsheet drops them): stored as 00123')
    // 789 is the shop's as written; 0789 is another SKU (it has more digits than the shop's, not fewer): new
    expect(text).toContain('New to this shop (1: ')
    expect(text).toMatch(/: 0789$/m)
    const levels = await database.db.select({ sku: stockLevels.sellerSku, n: stockLevels.onHand }).from(stockLevels).where(eq(stockLevels.shopId, shop.id)).orderBy(stockLevels.sellerSku)
    expect(levels.map((l) => [l.sku, l.n])).toEqual([['00123', 5], ['00456', 1], ['0456', 1], ['0789', 3], ['789', 2]])
    // 456 could be either of two: refused, nothing imported
    const no = await run(admin, { name: 'stock', file: sent('count.csv', 'seller_sku,quantity\n00123,9\n456,7\n') })
    expect(no.ok).toBe(false)
    expect(no.message.title).toBe('line 3: 456 is several of the shop’s SKUs without their leading zeros (00456, 0456): write it with its zeros (format the column as text). Nothing was imported.')
    const [a] = await database.db.select({ n: stockLevels.onHand }).from(stockLevels).where(and(eq(stockLevels.shopId, shop.id), eq(stockLevels.sellerSku, '00123')))
    expect(a.n).toBe(5)
  })

  it('a bad file gets one message saying what to change, in the chat’s language, and nothing is written', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin } = await linkedSetup(database, deps)
    const count = () => database.db.$count(stockLevels, eq(stockLevels.shopId, shop.id))
    const title = async (filename: string, body: Uint8Array | string, size?: number) => {
      const r = await run(admin, { name: 'stock', file: sent(filename, body, size) })
      expect(r.ok).toBe(false)
      return r.message.title
    }
    expect(await title('photo.png', 'x')).toBe('“photo.png” is not a stock file: send a .csv or .xlsx file with the columns seller_sku and quantity.')
    expect(await title('big.csv', 'x', 5 * 1024 * 1024)).toContain('The stock file is 5120 KB; send one of at most 1024 KB')
    // no size said, and more bytes than the limit came (a download stops one byte past it)
    expect(await title('big.csv', new Uint8Array(1024 * 1024 + 1))).toBe('The stock file is over 1024 KB; send one of at most 1024 KB (seller_sku,quantity lines).')
    expect(await title('s.csv', 'seller_sku,quantity\nA,3\nB,lots\n')).toBe('line 3: quantity “lots” must be a whole number from 0 to 1000000. Nothing was imported.')
    expect(await title('s.csv', 'name,count\nA,3\n')).toContain('Its first line has: name, count.')
    expect(await title('s.xlsx', 'not a zip')).toContain('could not be read as an Excel workbook')
    expect(await title('s.csv', 'seller_sku,quantity\n')).toContain('has no rows')
    // a fetch that fails (the platform's file link expired)
    const broken = { filename: 's.csv', read: async () => Promise.reject(new Error('404')) }
    expect((await run(admin, { name: 'stock', file: broken })).message.title).toBe('The stock file could not be fetched: send it again. Nothing was imported.')
    // a file with a SKU or a quantity
    expect((await run(admin, { name: 'stock', sku: 'A', file: sent('s.csv', 'seller_sku,quantity\nA,1\n') })).message.title).toContain('without a SKU or quantity')
    expect(await count()).toBe(0)
    await run(admin, { name: 'settings', language: 'zh-CN' })
    expect(await title('s.csv', 'seller_sku,quantity\nA,3\nA,4\n')).toBe('第 3 行:seller_sku A 出现了两次(第一次在第 2 行)。没有导入任何库存。')
    expect(await count()).toBe(0)
  })

  it('an add column adds units (a delivery) or takes them away, never below nothing; quantity and add in one row are refused', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin } = await linkedSetup(database, deps)
    await run(admin, { name: 'stock', sku: 'SKU-A', quantity: 4 })
    await run(admin, { name: 'stock', sku: 'SKU-B', quantity: 10 })
    const onHand = async () => (await database.db.select({ sku: stockLevels.sellerSku, n: stockLevels.onHand }).from(stockLevels).where(eq(stockLevels.shopId, shop.id)).orderBy(stockLevels.sellerSku)).map((l) => [l.sku, l.n])
    const title = async (body: string) => (await run(admin, { name: 'stock', file: sent('delivery.csv', body) })).message.title
    expect(await title('seller_sku,add\nSKU-A,5\nSKU-B,-11\n')).toBe('line 3: SKU-B has 10 on hand: taking 11 would leave less than nothing. Nothing was imported.')
    expect(await title('seller_sku,quantity,add\nSKU-A,5,3\n')).toContain('line 2: SKU-A has both a quantity and an add')
    expect(await title('seller_sku,add\nSKU-A,0\n')).toContain('line 2: add “0” must be a whole number other than 0')
    expect(await onHand()).toEqual([['SKU-A', 4], ['SKU-B', 10]])
    // 入库 (received) in Chinese, a new SKU among them; a quantity and an add column side by side, one per row
    const r = await run(admin, { name: 'stock', file: sent('入库单.csv', '卖家SKU,入库\nSKU-A,+20\nLAMP-LED,6\n') })
    expect(messageText(r.message)).toContain('LAMP-LED: 0 → 6\nSKU-A: 4 → 24')
    await run(admin, { name: 'stock', file: sent('count.csv', 'seller_sku,quantity,add\nSKU-A,,-4\nSKU-B,7,\n') })
    expect(await onHand()).toEqual([['LAMP-LED', 6], ['SKU-A', 20], ['SKU-B', 7]])
  })

  // PostgreSQL only: PGlite is one session, so no other connection can hold an uncommitted row meanwhile
  it.skipIf(kind === 'pglite')('units added to a SKU whose first row another change inserts meanwhile are added to that row', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop } = await linkedSetup(database, deps)
    const now = deps.clock.now()
    const onHand = async () => (await database.db.select({ n: stockLevels.onHand }).from(stockLevels).where(and(eq(stockLevels.shopId, shop.id), eq(stockLevels.sellerSku, 'MUG-NEW'))))[0]?.n
    let importing: Promise<unknown> | undefined
    // another connection inserts the SKU's first row (5) and, before it commits, the file adding 3 is
    // imported: it finds no row to lock, and its insert waits for the other's commit
    await database.db.transaction(async (other) => {
      await other.insert(stockLevels).values({ shopId: shop.id, sellerSku: 'MUG-NEW', onHand: 5, updatedAt: now, updatedBy: 'other' })
      importing = importStockCsv(database.db, { shopId: shop.id, csv: 'seller_sku,add\nMUG-NEW,3\n', actor: 'cli', now })
      await new Promise((r) => setTimeout(r, 300))
    })
    const r = (await importing) as Awaited<ReturnType<typeof importStockCsv>>
    expect(await onHand()).toBe(8)
    expect(r.changes).toEqual([{ sku: 'MUG-NEW', before: 0, after: 8 }])
  })

  it('in a chat of several shops the file names its shop', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, other, run, admin, assistant, channel } = await twoShopSetup(database, deps, { name: 'US Store' }, { name: 'UK Store' })
    const file = () => sent('s.csv', 'seller_sku,quantity\nMUG,2\n')
    // where commands have fields (Discord), the shop is picked in its field
    const picked = await assistant.handle({ ...channel, commandForm: 'options' }, admin, { name: 'stock', file: file() })
    expect(picked.message.title).toBe(`This chat follows several shops: pick the shop this file is for in the shop option. Shops: ${other.id} (UK Store), ${shop.id} (US Store).`)
    const none = await run(admin, { name: 'stock', file: file() })
    expect(none.message.title).toBe(`This chat follows several shops: name the shop this file is for, by its ID or name, after /stock (as the file’s caption: /stock SHOP). Shops: ${other.id} (UK Store), ${shop.id} (US Store).`)
    expect((await run(admin, { name: 'stock', file: file(), shop: 'DE Store' })).message.title).toContain('“DE Store” is not a shop this chat follows')
    expect((await run(admin, { name: 'stock', file: file(), shop: 'uk store' })).ok).toBe(true)
    const where = await database.db.select({ shopId: stockLevels.shopId }).from(stockLevels).where(eq(stockLevels.sellerSku, 'MUG'))
    expect(where).toEqual([{ shopId: other.id }])
  })
})
