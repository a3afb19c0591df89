/** Fulfilment documents: pick list PDF (300 orders), seller label PDF, late chart PNG (rendering only, no database). */
import type { BenchModule, Figure } from './run.js'
import { buildPickList } from '../src/fulfilment/picklist.js'
import { renderPickListPdf } from '../src/fulfilment/picklist-pdf.js'
import { renderSellerLabelPdf } from '../src/fulfilment/label-pdf.js'
import { renderLateChartPng } from '../src/fulfilment/late-chart.js'

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now()
  const r = await fn()
  return [performance.now() - t, r]
}

const bench: BenchModule = {
  title: 'Pick list, label and late chart',
  async run(): Promise<Figure[]> {
    const heads = Array.from({ length: 300 }, (_, i) => ({
      id: `5766536881352${String(10000 + i)}`,
      shopId: 's',
      shopName: '深圳优品 Shop',
      paidTime: new Date(Date.UTC(2026, 10, 20, 8, i % 60)),
      packByAt: new Date(Date.UTC(2026, 10, 22, 8, i % 60)),
      buyerMessage: i % 4 === 0 ? '请尽快发货，谢谢！' : '',
      sellerNote: '',
    }))
    const lines = heads.flatMap((h, i) =>
      Array.from({ length: 1 + (i % 4) }, (_, k) => ({
        orderId: h.id,
        skuId: String(900 + ((i + k) % 40)),
        sellerSku: `SKU-${(i + k) % 40}`,
        productName: `陶瓷马克杯 Ceramic mug ${(i + k) % 40}`,
        skuName: '红色 350ml',
        isGift: false,
      })),
    )
    const list = buildPickList(heads, lines)
    const opts = { locale: 'zh-CN' as const, timeZone: 'Asia/Shanghai', generatedAt: new Date() }
    const [cold] = await timed(() => renderPickListPdf(list, opts))
    const [warm, pdf] = await timed(() => renderPickListPdf(list, opts))
    const label = { orderId: '576653688135258178', shopName: 'S', recipientName: '王小明', recipientPhone: '138****5678', address: ['广东省深圳市南山区科技园'], postalCode: '518000', items: 3, skuLines: ['3 × SKU-1'], deliveryOption: '', packBy: null }
    const [labelMs] = await timed(() => renderSellerLabelPdf(label, { locale: 'zh-CN', timeZone: 'Asia/Shanghai' }))
    const points = Array.from({ length: 30 }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, '0')}`, paid: 20 + (i % 7), dispatched: 18, late: i % 5 }))
    const [chartCold] = await timed(() => renderLateChartPng(points, { locale: 'zh-CN', subtitle: '延迟发货率 8.0 %' }))
    const [chartWarm] = await timed(() => renderLateChartPng(points, { locale: 'zh-CN', subtitle: '延迟发货率 9.0 %' }))
    return [
      { name: 'pick list, 300 orders / 750 units, first in process', value: Math.round(cold), unit: 'ms' },
      { name: 'pick list, 300 orders / 750 units', value: Math.round(warm), unit: 'ms', goal: '< 10 s', ok: warm < 10_000 },
      { name: 'pick list size', value: Math.round(pdf.length / 1024), unit: 'KiB', goal: '< 8 MiB (Discord)', ok: pdf.length < 8 * 1024 * 1024 },
      { name: 'seller label', value: Math.round(labelMs), unit: 'ms' },
      { name: 'late chart PNG, first in process', value: Math.round(chartCold), unit: 'ms' },
      { name: 'late chart PNG', value: Math.round(chartWarm), unit: 'ms', goal: '< 3 s', ok: chartWarm < 3000 },
    ]
  },
}
export default bench
