import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { stockLevels } from '../../db/schema.js'
import { editDistance, matchSku, skuIndex, zerosMatch } from '../../src/inventory/sku-match.js'
import { messageText } from '../../src/notifications/message.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder } from '../support/fixtures.js'
import { actor, chan, coreDeps, importStockCsv, linkedSetup, twoShopSetup } from './support.js'

describe('matchSku', () => {
  const shop = ['TOTE-BLU', 'TOTE-NAT', 'BOTTLE-GRN', 'BOTTLE-SLV', 'MUG-350', 'A1']
  it('takes the SKU as typed, else the shop’s in another letter case; several such are ambiguous', () => {
    expect(matchSku('TOTE-BLU', shop)).toEqual({ kind: 'known', sku: 'TOTE-BLU' })
    expect(matchSku('tote-blu', shop)).toEqual({ kind: 'known', sku: 'TOTE-BLU' })
    expect(matchSku('abc', ['ABC', 'abc'])).toEqual({ kind: 'known', sku: 'abc' })
    expect(matchSku('Abc', ['ABC', 'abc'])).toEqual({ kind: 'ambiguous', options: ['ABC', 'abc'] })
  })

  it('suggests the nearest for a SKU the shop never had: one or two edits, or holding what was typed', () => {
    expect(matchSku('BOTLE-GRN', shop)).toEqual({ kind: 'unknown', near: ['BOTTLE-GRN'] })
    // within two edits of both totes: the nearer first
    expect(matchSku('tote-nau', shop)).toEqual({ kind: 'unknown', near: ['TOTE-NAT', 'TOTE-BLU'] })
    expect(matchSku('tote-bl', shop)).toEqual({ kind: 'unknown', near: ['TOTE-BLU'] })
    expect(matchSku('BOTTLE', shop)).toEqual({ kind: 'unknown', near: ['BOTTLE-GRN', 'BOTTLE-SLV'] })
    // a short SKU allows one edit only, and nothing else is "near"
    expect(matchSku('B2', shop)).toEqual({ kind: 'unknown', near: [] })
    expect(matchSku('A2', shop)).toEqual({ kind: 'unknown', near: ['A1'] })
    expect(matchSku('CABLE-1M', shop)).toEqual({ kind: 'unknown', near: [] })
  })

  it('zerosMatch: digits that lost their leading zeros are the shop’s SKU with them; never a SKU of letters or a longer one', () => {
    const index = skuIndex(['00123', '0456', '00456', '789', 'A0123', '0'])
    expect(zerosMatch('123', index)).toEqual({ kind: 'known', sku: '00123' })
    expect(zerosMatch('0123', index)).toEqual({ kind: 'known', sku: '00123' })
    expect(zerosMatch('456', index)).toEqual({ kind: 'ambiguous', options: ['00456', '0456'] })
    expect(zerosMatch('00123', index)).toBeNull()
    expect(zerosMatch('0789', index)).toBeNull()
    expect(zerosMatch('A123', index)).toBeNull()
    expect(zerosMatch('', index)).toBeNull()
  })

  it('editDistance counts insertions, deletions and substitutions, and stops past the bound', () => {
    expect(editDistance('kitten', 'sitting', 5)).toBe(3)
    expect(editDistance('', 'abc', 5)).toBe(3)
    expect(editDistance('same', 'same', 0)).toBe(0)
    expect(editDistance('kitten', 'sitting', 1)).toBe(2)
    expect(editDistance('a', 'abcdef', 2)).toBe(3)
  })
})

describeEachDb('/stock reads a SKU as the shop writes it', (get) => {
  it('another letter case is the shop’s SKU; a change to a SKU the shop never had, with ones like it, is refused; a new one is said to be new', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin } = await linkedSetup(database, deps)
    const onHand = async (sku: string) =>
      (await database.db.select({ n: stockLevels.onHand }).from(stockLevels).where(and(eq(stockLevels.shopId, shop.id), eq(stockLevels.sellerSku, sku))))[0]?.n
    // no stock yet: how to set it, or import it for this shop with the CLI
    expect(messageText((await run(admin, { name: 'stock' })).message)).toContain(`npm run cli -- stock import --shop ${shop.id} --file STOCK.csv`)
    // the shop has TOTE-BLU in stock and BOTTLE-GRN in an order of this week (no stock recorded)
    await run(admin, { name: 'stock', sku: 'TOTE-BLU', quantity: 3 })
    const bottle = platformOrder({
      line_items: [{ id: '9001', sku_id: '1729009', seller_sku: 'BOTTLE-GRN', product_name: 'Bottle', sku_name: 'Green', sale_price: '9.00', original_price: '9.00', currency: 'USD' }],
    })
    await processPlatformOrder(deps, shop.id, bottle)

    // lower case: the shop's TOTE-BLU receives the units; no second SKU is made
    const received = await run(admin, { name: 'stock', sku: 'tote-blu', adjust: 5 })
    expect(received.ok).toBe(true)
    expect(received.message.title).toBe('TOTE-BLU: on hand 3 +5 = 8.')
    expect(await onHand('TOTE-BLU')).toBe(8)
    expect(await onHand('tote-blu')).toBeUndefined()
    const shown = await run(admin, { name: 'stock', sku: 'Tote-Blu' })
    expect(messageText(shown.message)).toContain('TOTE-BLU: 8 on hand')

    // a SKU of the shop's orders, typed in lower case: its own spelling, no stock recorded yet
    expect(messageText((await run(admin, { name: 'stock', sku: 'bottle-grn' })).message)).toContain('No stock recorded for BOTTLE-GRN.')

    // a typo: viewing it suggests the SKU meant; changing it is refused and writes nothing
    const typo = messageText((await run(admin, { name: 'stock', sku: 'BOTLE-GRN' })).message)
    expect(typo).toContain('No stock recorded for BOTLE-GRN.')
    expect(typo).toContain('Did you mean BOTTLE-GRN?')
    const refused = await run(admin, { name: 'stock', sku: 'BOTLE-GRN', adjust: 2 })
    expect(refused.ok).toBe(false)
    expect(refused.message.title).toBe(
      'This shop has no SKU BOTLE-GRN (no stock recorded, in no order of the last 90 days). Did you mean BOTTLE-GRN? Nothing was changed. For a new SKU, set its count: /stock BOTLE-GRN QUANTITY.',
    )
    expect(await onHand('BOTLE-GRN')).toBeUndefined()
    // setting it is taken (a new SKU may look like an old one), and the reply says so
    const set = messageText((await run(admin, { name: 'stock', sku: 'BOTTLE-GRNX', quantity: 2 })).message)
    expect(set).toContain('BOTTLE-GRNX is new here: no stock of it was recorded before, and no order of the last 90 days has it.')
    expect(set).toContain('Did you mean BOTTLE-GRN?')
    expect(await onHand('BOTTLE-GRNX')).toBe(2)

    // a new SKU like none of the shop's: received units are taken, and said to be a new SKU
    const fresh = await run(admin, { name: 'stock', sku: 'LAMP-LED', adjust: 4 })
    expect(fresh.ok).toBe(true)
    expect(messageText(fresh.message)).toContain('LAMP-LED is new here')
    expect(messageText(fresh.message)).not.toContain('Did you mean')
    expect(await onHand('LAMP-LED')).toBe(4)
    // …and is known from then on
    expect(messageText((await run(admin, { name: 'stock', sku: 'LAMP-LED', adjust: 1 })).message)).not.toContain('is new here')

    // a second spelling is not made by /stock (it takes the first), nor by a stock file (below); an
    // older database may hold both
    expect((await run(admin, { name: 'stock', sku: 'case-1', quantity: 1 })).ok).toBe(true)
    expect((await run(admin, { name: 'stock', sku: 'CASE-1', adjust: 1 })).message.title).toBe('case-1: on hand 1 +1 = 2.')
    await database.db.insert(stockLevels).values({ shopId: shop.id, sellerSku: 'CASE-1', onHand: 1, updatedAt: deps.clock.now(), updatedBy: 'test' })
    await database.db.update(stockLevels).set({ onHand: 1 }).where(and(eq(stockLevels.shopId, shop.id), eq(stockLevels.sellerSku, 'case-1')))
    // two SKUs in different letter cases, neither as typed: which one is not guessed
    const which = await run(admin, { name: 'stock', sku: 'Case-1', quantity: 9 })
    expect(which.ok).toBe(false)
    expect(which.message.title).toBe('This shop has Case-1 in several letter cases (CASE-1, case-1): write it exactly as one of them.')
    expect([await onHand('CASE-1'), await onHand('case-1'), await onHand('Case-1')]).toEqual([1, 1, undefined])

    // in Chinese
    await run(admin, { name: 'settings', language: 'zh-CN' })
    expect(messageText((await run(admin, { name: 'stock', sku: 'BOTLE-GRN' })).message)).toContain('是否要找:BOTTLE-GRN, BOTTLE-GRNX?')
  })

  it('suggests the shop’s SKUs as they are typed (Discord autocomplete), with their stock; in a chat of several shops as SHOP:SKU', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, assistant, channel, run, admin } = await linkedSetup(database, deps)
    await run(admin, { name: 'stock', sku: 'TOTE-BLU', quantity: 3 })
    await run(admin, { name: 'stock', sku: 'MUG-350', quantity: 0 })
    const line = (sku: string) => ({ id: `${sku}-1`, sku_id: '17290', seller_sku: sku, product_name: 'P', sku_name: 'S', sale_price: '9.00', original_price: '9.00', currency: 'USD' })
    await processPlatformOrder(deps, shop.id, platformOrder({ line_items: [line('BOTTLE-GRN'), { ...line('MUG-350'), id: 'MUG-350-2' }] }))
    const suggest = (q: string) => assistant.suggest!(channel, admin, 'sku', q)
    // any letter case, any part; those starting with it first
    expect(await suggest('t')).toEqual([
      { name: 'TOTE-BLU: 3 on hand, 0 reserved, 3 available', value: 'TOTE-BLU' },
      { name: 'BOTTLE-GRN · no stock recorded', value: 'BOTTLE-GRN' },
    ])
    expect(await suggest('mug')).toEqual([{ name: 'MUG-350: 0 on hand, 1 reserved: SHORT by 1', value: 'MUG-350' }])
    expect((await suggest('')).map((x) => x.value)).toEqual(['BOTTLE-GRN', 'MUG-350', 'TOTE-BLU'])
    expect(await suggest('zzz')).toEqual([])
    // every member of the chat sees them (a viewer); a chat that follows no shop gets none
    expect((await assistant.suggest!(channel, actor('member'), 'sku', 'tote')).map((x) => x.value)).toEqual(['TOTE-BLU'])
    expect(await assistant.suggest!(chan(), admin, 'sku', 't')).toEqual([])
  })

  it('in a chat of several shops, a suggested SKU is SHOP_ID:SKU named with its shop, which /stock takes', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop: us, other: uk, assistant, channel, run, admin } = await twoShopSetup(database, deps, { name: 'US store' }, { name: 'UK store' })
    await run(admin, { name: 'stock', sku: `${us.id}:TOTE-BLU`, quantity: 3 })
    await run(admin, { name: 'stock', sku: `${uk.id}:TOTE-BLU`, quantity: 5 })
    const got = await assistant.suggest!(channel, admin, 'sku', 'tote')
    expect(got).toEqual(
      [
        { name: 'US store · TOTE-BLU: 3 on hand, 0 reserved, 3 available', value: `${us.id}:TOTE-BLU` },
        { name: 'UK store · TOTE-BLU: 5 on hand, 0 reserved, 5 available', value: `${uk.id}:TOTE-BLU` },
      ].sort((a, b) => a.value.localeCompare(b.value)),
    )
    const picked = await run(admin, { name: 'stock', sku: got[0].value, adjust: 1 })
    expect(picked.message.title).toMatch(/^TOTE-BLU: on hand \d \+1 = \d\.$/)
  })

  it('a stock file’s SKU in another letter case is stored as the shop’s, and said so; two rows for one SKU are refused', async () => {
    const database = get()
    const deps = coreDeps(database)
    const { shop, run, admin } = await linkedSetup(database, deps)
    await run(admin, { name: 'stock', sku: 'TOTE-BLU', quantity: 3 })
    const now = deps.clock.now()
    const csv = (body: string) => importStockCsv(database.db, { shopId: shop.id, csv: `seller_sku,quantity\n${body}`, actor: 'cli', now })
    const onHand = async () =>
      (await database.db.select({ sku: stockLevels.sellerSku, n: stockLevels.onHand }).from(stockLevels).where(eq(stockLevels.shopId, shop.id)).orderBy(stockLevels.sellerSku)).map((r) => [r.sku, r.n])
    // the same SKU twice, once in another letter case: refused, nothing written
    await expect(csv('TOTE-BLU,1\ntote-blu,2\n')).rejects.toThrow("line 3: seller_sku tote-blu appears twice (first on line 2, as the shop's TOTE-BLU)")
    expect(await onHand()).toEqual([['TOTE-BLU', 3]])
    const r = await csv('tote-blu,10\nLAMP-LED,4\n')
    expect(r).toEqual({
      count: 2,
      renamed: [{ line: 2, from: 'tote-blu', to: 'TOTE-BLU', why: 'case' }],
      // each SKU's units before and after, by SKU (a SKU without stock had none)
      changes: [
        { sku: 'LAMP-LED', before: 0, after: 4 },
        { sku: 'TOTE-BLU', before: 3, after: 10 },
      ],
      blank: 0,
      fresh: ['LAMP-LED'],
    })
    expect(await onHand()).toEqual([['LAMP-LED', 4], ['TOTE-BLU', 10]])
    // the shop holding two spellings already, neither as written: refused, naming both
    await database.db.insert(stockLevels).values({ shopId: shop.id, sellerSku: 'tote-BLU', onHand: 1, updatedAt: now, updatedBy: 'test' })
    await expect(csv('Tote-Blu,5\n')).rejects.toThrow('line 2: the shop has Tote-Blu in several letter cases (TOTE-BLU, tote-BLU): write it exactly as one of them')
  })
})
