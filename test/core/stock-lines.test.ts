import { describe, expect, it } from 'vitest'
import { translator } from '../../src/i18n/index.js'
import { lineText } from '../../src/notifications/message.js'
import type { StockLine } from '../../src/inventory/stock-check.js'
import { stockLines } from '../../src/workflow/order-messages.js'

const line = (over: Partial<StockLine>): StockLine => ({ sellerSku: 'BOTTLE-GRN', skuId: '1', name: 'Bottle', quantity: 1, result: 'in_stock', onHand: 5, available: 5, shortBy: 0, ...over })
const texts = (locale: 'en' | 'zh-CN', lines: StockLine[]) => stockLines(translator(locale), { ok: false, lines }).map((l) => lineText(l))

describe('the stock lines of an order message', () => {
  it('a SKU other open orders already overdraw says so plainly, not "-3 available"', () => {
    const overdrawn = line({ result: 'short', quantity: 1, onHand: 2, available: -3, shortBy: 1 })
    const short = line({ result: 'short', quantity: 3, onHand: 4, available: 1, shortBy: 2 })
    expect(texts('en', [overdrawn, short])).toEqual([
      'BOTTLE-GRN: SHORT by 1 (1 needed, none available: 2 on hand, 5 held by other open orders)',
      'BOTTLE-GRN: SHORT by 2 (3 needed, 1 available)',
      'Stock problem: check before packing.',
    ])
    expect(texts('zh-CN', [overdrawn])[0]).toBe('BOTTLE-GRN:缺货 1 件(需要 1,已无可用:在库 2,其他未发货订单已占用 5)')
  })
})
