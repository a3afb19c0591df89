/**
 * Guarantee 8, buyer text is shown, never obeyed: an order whose buyer note and recipient carry a
 * formula, mass mentions, HTML tags, RTL marks, emoji and 4,000 characters travels the real path
 * (workflow core → outbox → dispatcher → the Telegram and Discord ports → the stand-ins, which parse
 * Telegram HTML strictly and enforce Discord's body limits) and the real export (CSV and Excel, read
 * back with csv-parse and SheetJS).
 *  - Telegram: accepted as HTML (escaped), the reader sees the text literally, every part ≤ 4,096.
 *  - Discord: allowed_mentions parses nothing, no @everyone ping, every embed within its limits.
 *  - CSV / Excel: the cells read back as text; a formula-looking value is neutralised with a leading
 *    apostrophe, and the Excel cell is a string, not a formula.
 */
import { readFileSync, rmSync } from 'node:fs'
import * as XLSX from '@e965/xlsx'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { outbox, shops } from '../../db/schema.js'
import { createAssistant } from '../../src/assistant/index.js'
import { createLinkCode } from '../../src/channels/link-codes.js'
import { exportCommand } from '../../src/exports/command.js'
import { createDispatcher } from '../../src/notifications/dispatcher.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { processPlatformOrder } from '../../src/workflow/process-order.js'
import { RecordingShop } from '../core/support.js'
import { startDiscordStandIn, type DiscordStandIn } from '../fakes/discord-api.js'
import { FakeTelegram } from '../fakes/telegram-api.js'
import { describeEachDb } from '../support/db.js'
import { platformOrder, seedShop } from '../support/fixtures.js'
import { discordPort, followingChannel, telegramPort } from './support.js'

const GROUP = -1007700000001
const FORMULA = `=cmd|' /C calc'!A0`
const PIECES = [FORMULA, '@everyone', '@here', '<b>', '</code>', '<script>alert(1)</script>', 'a & b', '\u202Eevil\u202C', '\u200Fמקור', '🧨👩‍👩‍👧', '中文留言']
const NOTE = `${PIECES.join(' ')} ${'long note '.repeat(400)}`.slice(0, 4000)
const RECIPIENT = '@Mallory +1 <i>'

describeEachDb('reliability: hostile buyer text', (get) => {
  const clock = new ManualClock('2026-11-20T08:00:00Z')
  let tg: FakeTelegram
  let dc: DiscordStandIn
  let orderId: string

  beforeAll(async () => {
    const { db } = get()
    tg = await FakeTelegram.start()
    tg.addChat({ id: GROUP })
    dc = await startDiscordStandIn()
    const shopId = (await seedShop(db)).id
    await followingChannel(db, { platform: 'telegram', externalId: String(GROUP), shopId })
    await followingChannel(db, { platform: 'discord', externalId: dc.channelId, shopId })
    const o = platformOrder({ at: clock.now(), buyer_message: NOTE })
    o.recipient_address = { ...o.recipient_address!, name: RECIPIENT }
    orderId = o.id
    await processPlatformOrder({ db, clock, logger: silentLogger }, shopId, o)
    const d = createDispatcher({ db, clock, logger: silentLogger, ports: [telegramPort({ token: tg.token, apiRoot: tg.apiRoot }), discordPort({ token: dc.token, apiUrl: dc.apiUrl })] })
    await d.drainOnce()
  }, 60_000)
  afterAll(async () => {
    await tg?.stop()
    await dc?.close()
  })

  it('every message was accepted by the platforms (nothing refused as malformed or too long)', async () => {
    const rows = await get().db.select().from(outbox)
    expect(rows.map((r) => [r.status, r.lastError])).toEqual(rows.map(() => ['sent', null]))
  })

  it('Telegram: escaped HTML the strict parser accepts, the text shown literally, split within 4,096', () => {
    const parts = tg.sent(GROUP)
    expect(parts.length).toBeGreaterThan(1) // the 4,000-character note does not fit in one message with the rest
    for (const p of parts) {
      expect(p.parse_mode).toBe('HTML')
      expect(p.text!.length).toBeLessThanOrEqual(4096)
      expect(p.html).not.toMatch(/<(script|i)\b/)
    }
    const seen = parts.map((p) => p.text).join('\n')
    expect(seen).toContain(orderId)
    for (const piece of PIECES) expect(seen, piece).toContain(piece)
    expect(seen.replace(/\s+/g, ' ')).toContain(NOTE.slice(-200).replace(/\s+/g, ' ').trim())
  })

  it('Discord: no mention allowed or pinged, embeds within Discord’s limits', () => {
    const msgs = dc.channelMessages()
    expect(msgs).toHaveLength(1)
    const m = msgs[0]
    expect(m.allowedMentions).toEqual({ parse: [] })
    expect(m.api.mention_everyone).toBe(false)
    expect(m.api.mention_roles ?? []).toEqual([])
    const embeds = m.api.embeds as { title?: string; description?: string; fields?: { name: string; value: string }[]; footer?: { text: string } }[]
    let total = 0
    for (const e of embeds) {
      expect((e.title ?? '').length).toBeLessThanOrEqual(256)
      expect((e.description ?? '').length).toBeLessThanOrEqual(4096)
      expect((e.fields ?? []).length).toBeLessThanOrEqual(25)
      for (const f of e.fields ?? []) {
        expect(f.name.length).toBeLessThanOrEqual(256)
        expect(f.value.length).toBeLessThanOrEqual(1024)
      }
      total += (e.title ?? '').length + (e.description ?? '').length + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0) + (e.footer?.text.length ?? 0)
    }
    expect(total).toBeLessThanOrEqual(6000)
    const text = JSON.stringify(embeds)
    expect(text).toContain(orderId)
    expect(text).toContain('中文留言')
  })

  it('CSV and Excel exports: the note and the recipient read back as text, formulas neutralised', async () => {
    const { db } = get()
    const assistant = createAssistant({ db, clock, logger: silentLogger, shop: new RecordingShop(), defaults: { locale: 'en', timeZone: 'UTC' }, handlers: { export: exportCommand } })
    const channel = { platform: 'console' as const, externalId: 'hostile-export', title: 'export' }
    const admin = { platform: 'console' as const, userId: 'me', displayName: 'Me' }
    const [shop] = await db.select().from(shops)
    expect((await assistant.handle(channel, admin, { name: 'link', code: await createLinkCode(db, shop.id, clock) })).ok).toBe(true)
    for (const format of ['csv', 'xlsx'] as const) {
      const r = await assistant.handle(channel, admin, { name: 'export', args: { status: 'all', time: 'paid', from: '2026-11-19', to: '2026-11-20', template: 'order_sku_list', format } })
      expect(r.ok, r.message.title).toBe(true)
      const file = r.files![0]
      try {
        if (format === 'csv') {
          const cells = (parse(readFileSync(file.path), { bom: true, relax_column_count: true }) as string[][]).flat()
          const noteCell = cells.find((c) => c.includes('@everyone'))
          expect(noteCell).toBeDefined()
          // a CSV opened in a spreadsheet evaluates text: the formula-looking note gets a leading apostrophe
          expect(noteCell!.startsWith(`'${FORMULA}`), noteCell!.slice(0, 40)).toBe(true)
          expect(noteCell!.slice(1)).toBe(NOTE)
          expect(cells).toContain(`'${RECIPIENT}`)
          for (const c of cells) expect(/^[=+@\t\r]/.test(c) || /^-[^\d]/.test(c), c.slice(0, 40)).toBe(false)
        } else {
          // in Excel, text is a string cell, which is never evaluated: kept literally, and no cell is a formula
          const wb = XLSX.read(readFileSync(file.path))
          const ws = wb.Sheets[wb.SheetNames[0]]
          const cells = Object.entries(ws).filter(([a]) => !a.startsWith('!')).map(([, c]) => c as XLSX.CellObject)
          for (const c of cells) expect(c.f, String(c.v)).toBeUndefined()
          const noteCell = cells.find((c) => String(c.v).includes('@everyone'))
          expect(noteCell).toMatchObject({ t: 's' })
          expect(String(noteCell!.v).replace(/^'/, '')).toBe(NOTE)
          expect(cells.find((c) => String(c.v).replace(/^'/, '') === RECIPIENT)).toMatchObject({ t: 's' })
        }
      } finally {
        for (const f of r.files ?? []) rmSync(f.path, { force: true })
      }
    }
  })
})
