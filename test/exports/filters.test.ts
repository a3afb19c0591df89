import { describe, expect, it } from 'vitest'
import { parseExportFilter, placeWords, type FilterContext } from '../../src/exports/filters.js'
import { exportCaption } from '../../src/exports/run-export.js'
import { isAppError } from '../../src/shared/errors.js'

const ctx: FilterContext = { now: new Date('2026-11-20T04:30:00Z'), timeZone: 'Asia/Shanghai', shops: [{ id: '7495001', name: '测试店铺' }, { id: '7495002', name: 'Other' }] }

function problem(args: Parameters<typeof parseExportFilter>[0], c: FilterContext = ctx) {
  try {
    parseExportFilter(args, c)
  } catch (err) {
    if (isAppError(err, 'bad_input')) return { message: err.message, zh: String(err.params.zh), field: err.params.field }
    throw err
  }
  throw new Error('expected a bad_input error')
}

describe('export filters', () => {
  it('defaults: all statuses, created time, the last 7 days in the channel zone, order_sku_list, xlsx, every followed shop', () => {
    const f = parseExportFilter({}, ctx)
    expect(f).toMatchObject({ status: 'all', timeField: 'created', template: 'order_sku_list', format: 'xlsx', shopIds: ['7495001', '7495002'], timeZone: 'Asia/Shanghai' })
    // today in Shanghai is 2026-11-20: 14th 00:00 +08:00 … 21st 00:00 +08:00
    expect(f.from.toISOString()).toBe('2026-11-13T16:00:00.000Z')
    expect(f.to.toISOString()).toBe('2026-11-20T16:00:00.000Z')
    expect(f.label).toEqual({ from: '2026-11-14', to: '2026-11-20', wholeDays: true })
  })

  it('reads whole days in the zone given, across a DST change', () => {
    const f = parseExportFilter({ from: '2026-11-01', to: '2026-11-01', tz: 'America/Los_Angeles' }, ctx)
    expect(f.from.toISOString()).toBe('2026-11-01T07:00:00.000Z') // PDT, UTC-7
    expect(f.to.toISOString()).toBe('2026-11-02T08:00:00.000Z') // next midnight is PST, UTC-8: a 25-hour day
  })

  it('accepts instants with and without an offset', () => {
    const f = parseExportFilter({ from: '2026-11-19T08:00', to: '2026-11-19T10:30:00Z' }, ctx)
    expect(f.from.toISOString()).toBe('2026-11-19T00:00:00.000Z') // 08:00 in Shanghai
    expect(f.to.toISOString()).toBe('2026-11-19T10:30:00.000Z')
    expect(f.label.wholeDays).toBe(false)
  })

  it('accepts the seller words in Chinese and common spellings', () => {
    const cases: [string, string][] = [
      ['全部', 'all'], ['未支付', 'unpaid'], ['待发货', 'awaiting_shipment'], ['已发货', 'shipped'], ['已完成', 'completed'],
      ['取消中', 'cancelling'], ['已取消', 'cancelled'], ['Awaiting Shipment', 'awaiting_shipment'], ['canceled', 'cancelled'], ['to-ship', 'awaiting_shipment'],
    ]
    for (const [typed, status] of cases) expect(parseExportFilter({ status: typed }, ctx).status).toBe(status)
    expect(parseExportFilter({ time: '付款时间', template: '订单清单', format: 'Excel' }, ctx)).toMatchObject({ timeField: 'paid', template: 'order_list', format: 'xlsx' })
    expect(parseExportFilter({ shop: '测试店铺' }, ctx).shopIds).toEqual(['7495001'])
    expect(parseExportFilter({ shop: '7495002' }, ctx).shopIds).toEqual(['7495002'])
  })

  it('an unknown status lists the valid ones, in English and Chinese', () => {
    const p = problem({ status: 'shipping' })
    expect(p.field).toBe('status')
    expect(p.message).toBe('Unknown status "shipping". Use one of: all, unpaid, awaiting_shipment, shipped, completed, cancelling, cancelled (or 全部、未支付、待发货、已发货、已完成、取消中、已取消).')
    expect(p.zh).toContain('待发货')
  })

  it('a bad date says the format', () => {
    for (const bad of ['2026-13-01', '2026-02-30', '11/20/2026', 'someday']) {
      const p = problem({ from: bad })
      expect(p.field).toBe('from')
      expect(p.message).toContain('YYYY-MM-DD')
    }
    expect(problem({ to: '20261120' }).message).toContain('Write to as YYYY-MM-DD')
  })

  it('from after to is refused, naming both', () => {
    const p = problem({ from: '2026-11-19', to: '2026-11-10' })
    expect(p.message).toBe('from (2026-11-19) is after to (2026-11-10). Swap them, or change one so that from comes first.')
  })

  it('the last 90 days: 90 days back is allowed, 91 is refused with the earliest date', () => {
    expect(parseExportFilter({ from: '2026-08-22', to: '2026-08-30' }, ctx).from.toISOString()).toBe('2026-08-21T16:00:00.000Z')
    const p = problem({ from: '2026-08-21', to: '2026-08-30' })
    expect(p.field).toBe('from')
    expect(p.message).toContain('only orders of the last 90 days')
    expect(p.message).toContain('on or after 2026-08-22')
    expect(problem({ from: '2026-08-21T23:59' }).field).toBe('from')
  })

  it('unknown template, format, time field, zone and a shop the channel does not follow', () => {
    expect(problem({ template: 'invoice' }).message).toContain('order_list, package_list or order_sku_list')
    expect(problem({ format: 'pdf' }).message).toBe('Unknown format "pdf". Use csv or xlsx (Excel).')
    expect(problem({ time: 'shipped' }).message).toContain('created')
    expect(problem({ tz: 'Mars/Base' }).message).toContain('IANA')
    const s = problem({ shop: '999' })
    expect(s.field).toBe('shop')
    expect(s.message).toContain('7495001 (测试店铺), 7495002 (Other)')
    expect(problem({}, { ...ctx, shops: [] }).message).toContain('Link a shop first')
  })

  describe('values typed without their keys (/export shipped paid csv 2026-11-01 2026-11-20)', () => {
    it('each word goes to the key whose values it names; the first date is from, the second to', () => {
      expect(placeWords({ words: ['shipped', 'paid', 'csv', '2026-11-01', '2026-11-20', 'packages', 'Asia/Tokyo'] })).toEqual({
        status: 'shipped',
        time: 'paid',
        format: 'csv',
        from: '2026-11-01',
        to: '2026-11-20',
        template: 'packages',
        tz: 'Asia/Tokyo',
      })
      const f = parseExportFilter({ words: ['已发货', '付款时间', 'Excel', '订单清单', '2026-11-01', '2026-11-19'] }, ctx)
      expect(f).toMatchObject({ status: 'shipped', timeField: 'paid', format: 'xlsx', template: 'order_list', label: { from: '2026-11-01', to: '2026-11-19', wholeDays: true } })
    })

    it('two words that name one value are read as one; a range is from and to', () => {
      expect(placeWords({ words: ['awaiting', 'shipment', 'order', 'list'] })).toEqual({ status: 'awaiting shipment', template: 'order list' })
      expect(parseExportFilter({ words: ['awaiting', 'shipment'] }, ctx).status).toBe('awaiting_shipment')
      for (const range of ['2026-11-01..2026-11-05', '2026-11-01~2026-11-05', '2026-11-01至2026-11-05'])
        expect(placeWords({ words: [range] })).toEqual({ from: '2026-11-01', to: '2026-11-05' })
    })

    it('today and yesterday (in the chat’s zone): alone, that whole day; after a from date, the last day', () => {
      // now: 2026-11-20 12:30 in Shanghai
      const y = parseExportFilter({ words: ['昨天', 'shipped'] }, ctx)
      expect(y.label).toEqual({ from: '2026-11-19', to: '2026-11-19', wholeDays: true })
      expect([y.from.toISOString(), y.to.toISOString()]).toEqual(['2026-11-18T16:00:00.000Z', '2026-11-19T16:00:00.000Z'])
      expect(parseExportFilter({ words: ['today'] }, ctx).label).toEqual({ from: '2026-11-20', to: '2026-11-20', wholeDays: true })
      expect(parseExportFilter({ words: ['2026-11-15', 'yesterday'] }, ctx).label).toEqual({ from: '2026-11-15', to: '2026-11-19', wholeDays: true })
      // and as a key's value
      expect(parseExportFilter({ from: 'yesterday' }, ctx).label).toEqual({ from: '2026-11-19', to: '2026-11-20', wholeDays: true })
    })

    it('a range named in words: the last N days (today included), this or last week (from Monday) or month, in English or Chinese', () => {
      // today in Shanghai: Friday 2026-11-20
      const label = (...words: string[]) => parseExportFilter({ words }, ctx).label
      for (const w of [['30d'], ['30', 'days'], ['last', '30', 'days'], ['past', '30', 'days'], ['最近30天'], ['近', '30', '天'], ['last_30_days']])
        expect(label(...w), w.join(' ')).toEqual({ from: '2026-10-22', to: '2026-11-20', wholeDays: true })
      expect(label('1d')).toEqual({ from: '2026-11-20', to: '2026-11-20', wholeDays: true })
      expect(label('this', 'week', 'shipped')).toEqual({ from: '2026-11-16', to: '2026-11-20', wholeDays: true })
      expect(label('上周')).toEqual({ from: '2026-11-09', to: '2026-11-15', wholeDays: true })
      expect(label('本月')).toEqual({ from: '2026-11-01', to: '2026-11-20', wholeDays: true })
      expect(label('last', 'month')).toEqual({ from: '2026-10-01', to: '2026-10-31', wholeDays: true })
      expect(label('上个月', '已发货')).toEqual({ from: '2026-10-01', to: '2026-10-31', wholeDays: true })
      // the other words keep their meaning
      expect(parseExportFilter({ words: ['7d', 'shipped', 'paid', 'csv'] }, ctx)).toMatchObject({ status: 'shipped', timeField: 'paid', format: 'csv' })
      // as far back as exports reach (91 days with today), and no further
      expect(label('91d').from).toBe('2026-08-22')
      expect(problem({ words: ['92d'] }).message).toContain('more than 90 days ago')
      // with a date of its own: refused, in the words written
      expect(problem({ words: ['30d', '2026-11-01'] }).message).toBe('“30d” gives both dates already: leave out 2026-11-01, or give from and to as dates.')
      expect(problem({ from: '2026-11-01', words: ['last', 'month'] }).message).toBe('from is given twice (“2026-11-01” and “last month”). Give it once.')
      expect(problem({ words: ['0d'] }).message).toContain('“0d” is not something an export knows')
    })

    it('a date only the date check can judge is still from, and is refused there', () => {
      const p = problem({ words: ['2026-13-01'] })
      expect(p.field).toBe('from')
      expect(p.message).toContain('YYYY-MM-DD')
    })

    it('words and keys together; a key given both ways, a third date or a word that names nothing is refused with what to write', () => {
      expect(placeWords({ format: 'csv', words: ['shipped'] })).toEqual({ format: 'csv', status: 'shipped' })
      const twice = problem({ status: 'shipped', words: ['completed'] })
      expect(twice.field).toBe('status')
      expect(twice.message).toBe('status is given twice (“shipped” and “completed”). Give it once.')
      expect(problem({ words: ['csv', 'xlsx'] }).message).toContain('format is given twice')
      expect(problem({ words: ['2026-11-01', '2026-11-02', '2026-11-03'] }).message).toContain('Too many dates')
      const unknown = problem({ words: ['shipped', 'tomorrow'] })
      expect(unknown.field).toBe('words')
      expect(unknown.message).toContain('“tomorrow” is not something an export knows')
      expect(unknown.message).toContain('status=shipped')
      expect(unknown.zh).toContain('无法识别“tomorrow”')
      // a zone only by its IANA name with a slash: a bare country word names nothing here
      expect(problem({ words: ['Japan'] }).field).toBe('words')
    })

    it('no words: the arguments as given', () => {
      expect(placeWords({ status: 'shipped', words: [] })).toEqual({ status: 'shipped' })
      expect(placeWords({})).toEqual({})
    })
  })
})

describe('export caption', () => {
  it('one order is "1 order"; rows are counted only when they differ from orders', () => {
    const f = parseExportFilter({ words: ['yesterday', 'shipped'] }, ctx)
    expect(exportCaption(f, 1, 1).en).toBe('1 order · Order SKU list · status shipped · created 2026-11-19 (Asia/Shanghai)')
    expect(exportCaption(f, 2, 3).en).toBe('2 orders · 3 rows · Order SKU list · status shipped · created 2026-11-19 (Asia/Shanghai)')
    expect(exportCaption(f, 1, 1).zh).toBe('1 个订单 · 订单商品列表 · 状态:已发货 · 创建时间 2026-11-19(Asia/Shanghai)')
  })
})
