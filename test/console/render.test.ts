/** Terminal rendering: fields, zoned times, numbered buttons, buyer text made harmless. */
import { describe, expect, it } from 'vitest'
import { displayWidth, renderMessage, sanitize } from '../../bots/console/index.js'
import { message } from '../../src/notifications/message.js'

const now = new Date('2026-11-20T08:00:00Z')

describe('console rendering', () => {
  const msg = message({
    kind: 'cancel_request',
    tone: 'warning',
    title: 'Cancellation request for order 576653688135258178',
    lines: [['The buyer asks to cancel. Answer by ', { at: '2026-11-22T08:00:00Z', style: 'both' }]],
    fields: [
      { label: 'Buyer note', value: ['<b>URGENT</b> & @everyone =cmd|\' /C calc\'!A0'] },
      { label: 'Items', value: ['1 × 硅胶手机壳 (CASE-BLK)\n2 × Cable'] },
    ],
    buttons: [
      [
        { label: 'Accept', action: { type: 'cancel.accept', cancelId: '1' }, style: 'success' },
        { label: 'Reject', action: { type: 'cancel.reject_start', cancelId: '1' }, style: 'danger' },
      ],
    ],
  })

  it('shows title, lines, fields, times in the channel zone and numbered buttons', () => {
    const n = [7, 8]
    const text = renderMessage(msg, { timeZone: 'Asia/Shanghai', locale: 'en', now, ref: '#3', numberOf: (_b, _r, c) => n[c] })
    const lines = text.split('\n')
    expect(lines[0]).toMatch(/^── #3 ─+$/)
    expect(lines[1]).toBe('⚠ Cancellation request for order 576653688135258178')
    expect(text).toContain('Answer by 2026-11-22 16:00 (Asia/Shanghai), in 2 days')
    expect(text).toContain("<b>URGENT</b> & @everyone =cmd|' /C calc'!A0") // literal in a terminal: nothing to interpret
    // a multi-line value stays under its label
    expect(text).toMatch(/Items +1 × 硅胶手机壳 \(CASE-BLK\)\n +2 × Cable/)
    expect(lines.at(-1)).toBe('[7] Accept  [8] Reject')
  })

  it('uses the channel language for relative times and the edit mark', () => {
    const text = renderMessage(msg, { timeZone: 'UTC', locale: 'zh-CN', now, ref: '#3', edited: true })
    expect(text).toContain('(已更新)')
    expect(text).toContain('2026-11-22 08:00 (UTC), 后天')
    expect(text).toContain('[Accept]  [Reject]')
  })

  it('makes terminal control sequences in buyer text visible instead of obeyed', () => {
    const hostile = 'ok\x1b[2J\x1b]0;pwned\x07\rmore\u202eevil'
    expect(sanitize(hostile)).toBe('ok\\x1b[2J\\x1b]0;pwned\\x07\nmore\\x202eevil')
    const text = renderMessage(message({ kind: 'x', title: 't\x1b[31m', lines: [[hostile]] }), { timeZone: 'UTC', locale: 'en', now })
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/)
  })

  it('lines the values up in one column, counting a Chinese character as two columns', () => {
    const fields = (labels: string[]) => message({ kind: 'x', title: 't', fields: labels.map((label) => ({ label, value: ['v'] })) })
    const zh = renderMessage(fields(['状态', '付款时间', '买家留言']), { timeZone: 'UTC', locale: 'zh-CN', now })
    const columns = zh.split('\n').slice(2).map((l) => displayWidth(l.slice(0, l.lastIndexOf('v'))))
    expect(columns).toEqual([12, 12, 12]) // 2 + 8 (four characters) + 2
    const en = renderMessage(fields(['Language', 'Warnings before a deadline']), { timeZone: 'UTC', locale: 'en', now })
    expect(en.split('\n').slice(2)).toEqual(['  Language                    v', '  Warnings before a deadline  v'])
  })

  it('colours only when asked', () => {
    const plain = renderMessage(msg, { timeZone: 'UTC', locale: 'en', now })
    const coloured = renderMessage(msg, { timeZone: 'UTC', locale: 'en', now, color: true })
    expect(plain).not.toContain('\x1b[')
    expect(coloured).toContain('\x1b[1;33m⚠')
  })
})
