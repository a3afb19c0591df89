/**
 * Stock files through the real telegraf bot and the Bot API stand-in: a file sent with the caption
 * /stock (or answered with /stock) is fetched by getFile and its download link, once the member may
 * change stock, and imported by the core; what cannot be imported gets one message.
 */
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { stockLevels } from '../../db/schema.js'
import { createAssistant } from '../../src/assistant/index.js'
import { createLinkCode } from '../../src/channels/link-codes.js'
import { coreDeps } from '../core/support.js'
import { GROUP_ID, startTelegramHarness, user, type TelegramHarness } from '../fakes/telegram-harness.js'
import { describeEachDb } from '../support/db.js'
import { seedShop } from '../support/fixtures.js'
import { minimalXlsx } from '../support/xlsx-fixture.js'

const admin = user(9101, 'Lin 林')
const member = user(9102, 'Bob')

describeEachDb('Telegram: stock files', (get) => {
  let h: TelegramHarness
  let shopId: string

  beforeAll(async () => {
    const db = get().db
    shopId = (await seedShop(db, { name: 'Tote Shop' })).id
    const deps = coreDeps(get())
    const assistant = createAssistant(deps)
    h = await startTelegramHarness({ assistant })
    h.tg.setMember(GROUP_ID, admin.id, 'creator')
    h.tg.setMember(GROUP_ID, member.id, 'member')
    const before = h.tg.sent(GROUP_ID).length
    h.tg.userSays(GROUP_ID, admin, `/link ${await createLinkCode(db, shopId, deps.clock)}`)
    expect((await h.tg.nextSent(GROUP_ID, before, 10_000)).text).toContain('Linked to Tote Shop')
  }, 60_000)
  afterAll(async () => {
    await h?.stop()
  })

  const onHand = async (sku: string) => (await get().db.select().from(stockLevels).where(and(eq(stockLevels.shopId, shopId), eq(stockLevels.sellerSku, sku))))[0]?.onHand
  const getFiles = () => h.tg.calls.filter((c) => c.method === 'getFile').length
  const sendFile = async (name: string, bytes: Uint8Array | string, caption?: string, from = admin) => {
    const before = h.tg.sent(GROUP_ID).length
    h.tg.userSendsFile(GROUP_ID, from, { name, bytes }, caption)
    return h.tg.nextSent(GROUP_ID, before, 10_000)
  }

  it('a CSV sent with the caption /stock is imported', async () => {
    const reply = await sendFile('stock.csv', 'seller_sku,quantity\nTOTE-BLU,12\nMUG-350,3\n', '/stock')
    expect(reply.text).toContain('Stock imported from stock.csv. SKUs in it: 2; changed: 2.')
    expect(reply.text).toContain('TOTE-BLU: 0 → 12')
    expect(await onHand('TOTE-BLU')).toBe(12)
  })

  it('an Excel file, with the bot named in the caption', async () => {
    const reply = await sendFile('库存.xlsx', minimalXlsx([['卖家SKU', '库存'], ['TOTE-BLU', 20]]), '/stock@ShopHelperBot')
    expect(reply.text).toContain('Stock imported from 库存.xlsx. SKUs in it: 1; changed: 1.')
    expect(await onHand('TOTE-BLU')).toBe(20)
  })

  it('a member without a role is refused before the file is fetched', async () => {
    const fetched = getFiles()
    const reply = await sendFile('stock.csv', 'seller_sku,quantity\nTOTE-BLU,1\n', '/stock', member)
    expect(reply.text).toMatch(/operator/)
    expect(getFiles()).toBe(fetched)
    expect(await onHand('TOTE-BLU')).toBe(20)
  })

  it('a file someone shared is imported by an operator’s /stock in answer to it; a file without a command is not for the bot', async () => {
    const before = h.tg.sent(GROUP_ID).length
    const shared = h.tg.userSendsFile(GROUP_ID, member, { name: 'counted.csv', bytes: 'sku,qty\nMUG-350,9\n' })
    h.tg.userSays(GROUP_ID, admin, '/stock', { replyTo: shared })
    const reply = await h.tg.nextSent(GROUP_ID, before, 10_000)
    expect(reply.text).toContain('Stock imported from counted.csv. SKUs in it: 1; changed: 1.')
    expect(h.tg.sent(GROUP_ID)).toHaveLength(before + 1)
    expect(await onHand('MUG-350')).toBe(9)
    // /stock with more words in answer to it is the usual command; a bare /stock in answer to a PDF is the stock list
    const say = async (text: string, replyTo: typeof shared) => {
      const n = h.tg.sent(GROUP_ID).length
      h.tg.userSays(GROUP_ID, admin, text, { replyTo })
      return (await h.tg.nextSent(GROUP_ID, n, 10_000)).text ?? ''
    }
    expect(await say('/stock MUG-350 +1', shared)).toContain('MUG-350: on hand 9 +1 = 10.')
    const pdf = h.tg.userSendsFile(GROUP_ID, member, { name: 'label.pdf', bytes: '%PDF-1.4' })
    expect(await say('/stock', pdf)).toContain('MUG-350: 10 on hand')
    expect(await onHand('MUG-350')).toBe(10)
  })

  it('/stock export csv sends the stock sheet as a document, which comes back as a stock file', async () => {
    const before = h.tg.sent(GROUP_ID).length
    h.tg.userSays(GROUP_ID, member, '/stock export csv')
    const doc = await h.tg.waitFor(() => h.tg.sent(GROUP_ID).slice(before).find((m) => m.document), 10_000, 'the stock sheet')
    expect(doc.document!.file_name).toMatch(/^stock-Tote_Shop-\d{4}-\d\d-\d\d\.csv$/)
    const text = doc.bytes!.toString('utf8')
    expect(text).toContain('seller_sku,quantity,product,reserved,available\r\nMUG-350,10,,0,10\r\nTOTE-BLU,20,,0,20\r\n')
    // changed in a spreadsheet and sent back by an operator
    const reply = await sendFile('stock.csv', text.replace('MUG-350,10,', 'MUG-350,11,'), '/stock')
    expect(reply.text).toContain('MUG-350: 10 → 11')
  })

  it('what cannot be imported gets one message: another command, a file too big, a link gone, a bad line', async () => {
    expect((await sendFile('stock.csv', 'x', '/orders')).text).toContain('Only /stock takes a file')
    const fetched = getFiles()
    expect((await sendFile('big.csv', 'seller_sku,quantity\n' + 'A,1\n'.repeat(300_000), '/stock')).text).toContain('The stock file is 1172 KB; send one of at most 1024 KB')
    expect(getFiles()).toBe(fetched) // its size was known: never fetched
    const gone = h.tg.userSendsFile(GROUP_ID, admin, { name: 'x.csv', bytes: 'seller_sku,quantity\nA,1\n' })
    h.tg.goneFiles.add(gone.document!.file_id)
    const before = h.tg.sent(GROUP_ID).length
    h.tg.userSays(GROUP_ID, admin, '/stock', { replyTo: gone })
    expect((await h.tg.nextSent(GROUP_ID, before, 10_000)).text).toContain('The stock file could not be fetched: send it again.')
    expect((await sendFile('stock.csv', 'seller_sku,quantity\nTOTE-BLU,5\nMUG-350,-1\n', '/stock')).text).toContain('line 3: quantity “-1” must be a whole number')
    expect(await onHand('TOTE-BLU')).toBe(20)
    // no secret in the logs (the download link holds the bot token)
    expect(h.logs.join('\n')).not.toContain(h.tg.token)
  })
})
