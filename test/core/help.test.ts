import { eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { channels } from '../../db/schema.js'
import { COMMAND_HELP } from '../../src/i18n/command-help.js'
import { messageText } from '../../src/notifications/message.js'
import { parseTextCommand } from '../../src/commands/parse-text.js'
import { createAssistant } from '../../src/assistant/index.js'
import { describeEachDb } from '../support/db.js'
import { uniqueId } from '../support/fixtures.js'
import { actor, chan, coreDeps, linkedSetup } from './support.js'

describeEachDb('/help COMMAND: how to write a command, with examples', (get) => {
  it('shows the usage and examples in the chat’s language, dates a week back in its zone; an unknown command gets the list', async () => {
    const database = get()
    const deps = coreDeps(database)
    deps.clock.set('2026-11-20T20:00:00Z') // already the 21st in Shanghai
    const { run, admin, channelId } = await linkedSetup(database, deps)
    const r = await run(admin, { name: 'help', topic: 'export' })
    expect(r.ok).toBe(true)
    expect(r.message.title).toBe('/export — Export orders as CSV or Excel')
    const text = messageText(r.message)
    expect(text).toContain('/export status=awaiting_shipment format=csv — orders to ship, as CSV')
    expect(text).toContain('/export status=shipped time=paid from=2026-11-13 to=2026-11-19')

    await database.db.update(channels).set({ locale: 'zh-CN', timeZone: 'Asia/Shanghai' }).where(eq(channels.id, channelId))
    const zh = messageText((await run(admin, { name: 'help', topic: 'order' })).message)
    expect(zh).toContain('/order 8178 — 订单号以 8178 结尾的订单(多个时列出)')
    expect(messageText((await run(admin, { name: 'help', topic: 'export' })).message)).toContain('from=2026-11-14 to=2026-11-20')

    const unknown = await run(admin, { name: 'help', topic: 'refund' })
    expect(unknown.ok).toBe(false)
    expect(unknown.message.title).toContain('没有命令“refund”')
    expect(unknown.message.title).toContain('export')
  })

  it('every example parses as the command it documents; the list points chats with typed commands to /help COMMAND, not those whose commands have fields', async () => {
    for (const [name, h] of Object.entries(COMMAND_HELP)) {
      for (const e of h.examples) {
        const parsed = parseTextCommand(e.text.replaceAll('{week}', '2026-11-13').replaceAll('{yesterday}', '2026-11-19'), { replyTo: { userId: '1', displayName: 'A' } })
        expect(parsed, e.text).not.toHaveProperty('error')
        expect((parsed as { name: string }).name.replace('cancel_order', 'cancel'), e.text).toBe(name)
      }
    }
    const database = get()
    const a = createAssistant(coreDeps(database))
    const tg = messageText((await a.handle(chan(), actor(uniqueId('u')), { name: 'help' })).message)
    expect(tg).toContain('Send /help COMMAND for how to write it, with examples: /help export.')
    // the typed commands an operator uses on an order are listed too
    expect(tg).toContain('/mark — Mark a fulfilment step of an order as done')
    expect(tg).toContain('/cancel — Cancel an order you cannot fulfil (asks for a reason)')
    const dc = await a.handle(chan(uniqueId('g'), { platform: 'discord', commandForm: 'options' }), actor(uniqueId('u')), { name: 'help' })
    expect(messageText(dc.message)).not.toContain('/help COMMAND')
    const dcExport = await a.handle(chan(uniqueId('g'), { platform: 'discord', commandForm: 'options' }), actor(uniqueId('u')), { name: 'help', topic: 'export' })
    expect(messageText(dcExport.message)).toContain('Here, pick the command and fill in its options: the same values, one field each.')
    expect(tg).not.toContain('fill in its options')
  })
})
