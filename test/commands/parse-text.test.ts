import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Command } from '../../src/assistant/types.js'
import { parseTextCommand } from '../../src/commands/parse-text.js'

const ok = (text: string, ctx?: Parameters<typeof parseTextCommand>[1]): Command => {
  const r = parseTextCommand(text, ctx)
  if ('error' in r) throw new Error(`expected a command for ${JSON.stringify(text)}, got error: ${r.error}`)
  return r
}
const err = (text: string): string => {
  const r = parseTextCommand(text)
  if (!('error' in r)) throw new Error(`expected an error for ${JSON.stringify(text)}, got ${JSON.stringify(r)}`)
  return r.error
}

describe('parseTextCommand', () => {
  it('reads every command of the brief', () => {
    expect(ok('/help')).toEqual({ name: 'help' })
    expect(ok('/help export')).toEqual({ name: 'help', topic: 'export' })
    expect(ok('/help /Export')).toEqual({ name: 'help', topic: 'export' })
    expect(ok('/help cancel_order')).toEqual({ name: 'help', topic: 'cancel' })
    expect(err('/help export stock')).toBe('Name one command. Usage: /help [command]')
    expect(ok('/orders')).toEqual({ name: 'orders' })
    expect(ok('/orders shipped')).toEqual({ name: 'orders', status: 'shipped' })
    expect(ok('/orders status=cancelled')).toEqual({ name: 'orders', status: 'cancelled' })
    expect(ok('/order 576612345678901234')).toEqual({ name: 'order', orderId: '576612345678901234' })
    expect(ok('/export status=shipped time=paid from=2026-11-01 to=2026-11-20 template=order_list format=csv')).toEqual({
      name: 'export',
      args: { status: 'shipped', time: 'paid', from: '2026-11-01', to: '2026-11-20', template: 'order_list', format: 'csv' },
    })
    expect(ok('/export')).toEqual({ name: 'export', args: {} })
    // values typed without their keys go to the exports core as words, which places them (filters.ts)
    expect(ok('/export shipped paid 2026-11-01 2026-11-20 format=csv')).toEqual({ name: 'export', args: { format: 'csv', words: ['shipped', 'paid', '2026-11-01', '2026-11-20'] } })
    expect(ok('／export 待发货 付款时间 "order list"')).toEqual({ name: 'export', args: { words: ['待发货', '付款时间', 'order list'] } })
    expect(ok('/late')).toEqual({ name: 'late' })
    expect(ok('/late 6')).toEqual({ name: 'late', hours: 6 })
    expect(ok('/late 6h')).toEqual({ name: 'late', hours: 6 })
    expect(ok('/stock')).toEqual({ name: 'stock' })
    expect(ok('/status')).toEqual({ name: 'status' })
    expect(ok('/health')).toEqual({ name: 'status' })
    expect(ok('/stock SKU-A')).toEqual({ name: 'stock', sku: 'SKU-A' })
    expect(ok('/stock SKU-A 12')).toEqual({ name: 'stock', sku: 'SKU-A', quantity: 12 })
    // a signed number is a change to what is on hand
    expect(ok('/stock SKU-A +20')).toEqual({ name: 'stock', sku: 'SKU-A', adjust: 20 })
    expect(ok('/stock SKU-A -3')).toEqual({ name: 'stock', sku: 'SKU-A', adjust: -3 })
    expect(ok('/stock SKU-A ＋5')).toEqual({ name: 'stock', sku: 'SKU-A', adjust: 5 })
    expect(ok('/settings lang=zh-CN tz=Asia/Shanghai warn=12h,2h,0')).toEqual({
      name: 'settings',
      language: 'zh-CN',
      timeZone: 'Asia/Shanghai',
      thresholds: '12h,2h,0',
    })
    expect(ok('/settings')).toEqual({ name: 'settings' })
    expect(ok('/settings daily=09:00')).toEqual({ name: 'settings', daily: '09:00' })
    expect(ok('/settings summary=off')).toEqual({ name: 'settings', daily: 'off' })
    expect(ok('/cancel 5766001 out of stock')).toEqual({ name: 'cancel_order', orderId: '5766001', reason: 'out of stock' })
    expect(ok("/cancel 5766001 buyer's address is wrong")).toEqual({
      name: 'cancel_order',
      orderId: '5766001',
      reason: "buyer's address is wrong",
    })
    expect(ok('/cancel 5766001')).toEqual({ name: 'cancel_order', orderId: '5766001' })
    expect(ok('/mark 5766001 packed')).toEqual({ name: 'mark', orderId: '5766001', step: 'packed' })
    expect(ok('/picklist')).toEqual({ name: 'picklist' })
    expect(ok('/label 5766001')).toEqual({ name: 'label', orderId: '5766001' })
    expect(ok('/link AB12-CD34')).toEqual({ name: 'link', code: 'AB12-CD34' })
    // a shop's name may hold spaces: the whole rest of the line names it
    expect(ok('/unlink Kitchen  Store 厨房')).toEqual({ name: 'unlink', shop: 'Kitchen Store 厨房' })
    expect(ok('/unlink "Kitchen Store"')).toEqual({ name: 'unlink', shop: 'Kitchen Store' })
    expect(ok('/unlink')).toEqual({ name: 'unlink' })
  })

  it('accepts /command@BotName, any case, no slash, and extra spaces', () => {
    expect(ok('/help@ShopHelperBot')).toEqual({ name: 'help' })
    expect(ok('/order@ShopHelperBot   5766001  ')).toEqual({ name: 'order', orderId: '5766001' })
    expect(ok('/ORDERS Shipped')).toEqual({ name: 'orders', status: 'Shipped' })
    expect(ok('late 2')).toEqual({ name: 'late', hours: 2 })
  })

  it('reads full-width punctuation from a Chinese input method and quoted values', () => {
    expect(ok('／export status＝shipped format＝xlsx')).toEqual({ name: 'export', args: { status: 'shipped', format: 'xlsx' } })
    expect(ok('/settings warn＝12h，2h，0')).toEqual({ name: 'settings', thresholds: '12h,2h,0' })
    expect(ok('/export template="order sku list"')).toEqual({ name: 'export', args: { template: 'order sku list' } })
    expect(ok('/export template=“order list”')).toEqual({ name: 'export', args: { template: 'order list' } })
  })

  it('reads a key written as key:value or followed by its value, as other tools write it', () => {
    expect(ok('/export from:2026-11-01 to:2026-11-20 status:shipped')).toEqual({ name: 'export', args: { from: '2026-11-01', to: '2026-11-20', status: 'shipped' } })
    expect(ok('/export from 2026-11-01 to 2026-11-20 paid')).toEqual({ name: 'export', args: { from: '2026-11-01', to: '2026-11-20', words: ['paid'] } })
    // a time keeps its own colons; a zone its slash; a full-width colon from a Chinese input method too
    expect(ok('/export from:2026-11-01T08:00 tz:Asia/Shanghai')).toEqual({ name: 'export', args: { from: '2026-11-01T08:00', tz: 'Asia/Shanghai' } })
    expect(ok('/export format：csv timezone:UTC')).toEqual({ name: 'export', args: { format: 'csv', tz: 'UTC' } })
    // words that are no key stay words, colons and all (the exports core places or refuses them)
    expect(ok('/export shipped 2026-11-01 colour:red')).toEqual({ name: 'export', args: { words: ['shipped', '2026-11-01', 'colour:red'] } })
    // "time" ends a value too ("paid time", "create time": the exports core reads the pair); only time:… is its key
    expect(ok('/export paid time csv')).toEqual({ name: 'export', args: { words: ['paid', 'time', 'csv'] } })
    expect(ok('/export create time from 2026-11-01')).toEqual({ name: 'export', args: { from: '2026-11-01', words: ['create', 'time'] } })
    expect(ok('/export 付款 时间:created')).toEqual({ name: 'export', args: { time: 'created', words: ['付款'] } })
    expect(ok('/export time:paid')).toEqual({ name: 'export', args: { time: 'paid' } })
    expect(err('/export status:')).toMatch(/status= has no value/)
    expect(err('/export from to=2026-11-20')).toMatch(/from= has no value/)
    expect(ok('/settings language zh')).toEqual({ name: 'settings', language: 'zh' })
    expect(ok('/settings lang:zh-CN tz Asia/Shanghai daily 09:00')).toEqual({ name: 'settings', language: 'zh-CN', timeZone: 'Asia/Shanghai', daily: '09:00' })
    expect(ok('/settings daily:09:30 warn 12h,2h,0')).toEqual({ name: 'settings', daily: '09:30', thresholds: '12h,2h,0' })
    expect(err('/settings language')).toMatch(/language= has no value/)
    expect(err('/settings tz lang=en')).toMatch(/tz= has no value/)
    expect(err('/settings language zh extra')).toMatch(/“extra” is not key=value/)
    // the keys' Chinese names: 从 … 到 … is from … to …
    expect(ok('/export 状态=已发货 从 2026-11-01 到 2026-11-20 格式：csv')).toEqual({ name: 'export', args: { status: '已发货', from: '2026-11-01', to: '2026-11-20', format: 'csv' } })
    expect(ok('/export 开始日期=2026-11-01 结束日期=今天 模板=包裹清单 时区=Asia/Shanghai')).toEqual({
      name: 'export',
      args: { from: '2026-11-01', to: '今天', template: '包裹清单', tz: 'Asia/Shanghai' },
    })
    expect(ok('/settings 语言 zh 时区=Asia/Shanghai 提醒：12h,2h,0 日报 09:00')).toEqual({ name: 'settings', language: 'zh', timeZone: 'Asia/Shanghai', thresholds: '12h,2h,0', daily: '09:00' })
    expect(err('/settings 语言=zh lang=en')).toMatch(/given twice/)
    expect(ok('/orders status:shipped')).toEqual({ name: 'orders', status: 'shipped' })
    expect(ok('/orders status awaiting shipment')).toEqual({ name: 'orders', status: 'awaiting shipment' })
    expect(err('/orders status')).toMatch(/status has no value/)
    expect(ok('/orders 状态 待发货')).toEqual({ name: 'orders', status: '待发货' })
    expect(ok('/orders 状态=已取消')).toEqual({ name: 'orders', status: '已取消' })
  })

  it('takes /grant and /revoke targets from the replied-to member', () => {
    const replyTo = { userId: '42', displayName: 'Li Wei' }
    expect(ok('/grant operator', { replyTo })).toEqual({ name: 'grant', role: 'operator', target: replyTo })
    expect(ok('/revoke', { replyTo })).toEqual({ name: 'revoke', target: replyTo })
    expect(ok('/grant viewer 77')).toEqual({ name: 'grant', role: 'viewer', target: { userId: '77', displayName: '77' } })
    expect(err('/grant operator')).toMatch(/reply to the member/)
    expect(err('/revoke')).toMatch(/reply to the member/)
    expect(err('/grant')).toMatch(/which role/)
  })

  it('says what is wrong with a bad command', () => {
    expect(err('/frobnicate')).toMatch(/Unknown command \/frobnicate/)
    expect(err('/order')).toMatch(/order ID is missing.*\/order ORDER_ID/)
    expect(err('/order 1 2')).toMatch(/one order ID/)
    expect(err('/label')).toMatch(/order ID is missing/)
    expect(err('/mark 5766001')).toMatch(/which step/)
    expect(err('/cancel')).toMatch(/order ID is missing/)
    expect(err('/link')).toMatch(/code is missing/)
    expect(err('/late soon')).toMatch(/not a number of hours/)
    expect(err('/stock SKU-A lots')).toMatch(/not a whole number/)
    expect(err('/export colour=red')).toMatch(/Unknown key “colour”.*status, time, from, to, template, format/)
    expect(err('/export =shipped')).toMatch(/not key=value/)
    expect(err('/export status=')).toMatch(/status= has no value/)
    expect(err('/export status=a status=b')).toMatch(/given twice/)
    expect(err('/export template="order list')).toMatch(/not closed/)
    expect(err('/settings lang=en language=zh-CN')).toMatch(/given twice/)
    expect(err('/settings colour=blue')).toMatch(/Unknown key/)
    expect(err('/picklist now')).toMatch(/no arguments/)
    expect(err('')).toMatch(/\/help/)
    expect(err('hello there, bot')).toMatch(/Unknown command/)
    expect(err('x'.repeat(5000))).toMatch(/too long/)
    const zh = parseTextCommand('/export 颜色=红')
    expect(zh).toEqual({ error: expect.stringMatching(/Unknown key “颜色”/), zh: expect.stringMatching(/未知的键“颜色”/) })
  })

  it('any string gives a command or one non-empty error, never a throw (property)', () => {
    const names = ['help', 'link', 'unlink', 'orders', 'order', 'export', 'late', 'stock', 'grant', 'revoke', 'settings', 'picklist', 'label', 'mark', 'cancel', 'status', 'x']
    const commandish = fc
      .tuple(
        fc.constantFrom('/', '／', '', ' /'),
        fc.constantFrom(...names),
        fc.option(fc.constantFrom('@Bot', '@', '@a_b1'), { nil: '' }),
        fc.array(fc.oneof(fc.string(), fc.constantFrom('status=', '=', '"', "'", 'format=csv', '＝', '“', '12', '-3', 'h')), { maxLength: 6 }),
      )
      .map(([slash, name, bot, args]) => `${slash}${name}${bot} ${args.join(' ')}`)
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), commandish), (s) => {
        const r = parseTextCommand(s)
        expect(r).toBeTypeOf('object')
        if ('error' in r) {
          expect(typeof r.error).toBe('string')
          expect(r.error.length).toBeGreaterThan(0)
          expect(r.error.length).toBeLessThan(400)
          expect(r.zh.length).toBeGreaterThan(0)
        } else {
          expect(names).toContain(r.name === 'cancel_order' ? 'cancel' : r.name)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('an export written from its parts reads back to the same parts (property)', () => {
    const value = fc.stringMatching(/^[A-Za-z0-9_\-:\/.,]{1,20}$/)
    const keys = ['status', 'time', 'from', 'to', 'template', 'format', 'shop', 'tz'] as const
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), value), (args) => {
        const text = '/export ' + Object.entries(args).map(([k, v]) => `${k}=${v}`).join(' ')
        expect(parseTextCommand(text)).toEqual({ name: 'export', args })
      }),
      { numRuns: 500 },
    )
  })
})
