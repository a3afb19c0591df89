/**
 * The Discord adapter (real discord.js client) against the stand-in, with a scripted assistant:
 * what the adapter itself owes — parsing, acknowledgement, ephemeral refusals, select menus,
 * attachments, autocomplete, errors, resume, rendering limits and the ChatPort's error mapping.
 * The end-to-end flows with the real core are in discord-flows.test.ts.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApplicationCommandOptionType } from 'discord.js'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parseExportFilter } from '../../src/exports/filters.js'
import { registerGlobalCommands } from '../../bots/discord/bot.js'
import { DownloadTooLarge, downloadCapped } from '../../src/shared/download.js'
import type { Actor, Assistant, ChannelInfo, ChannelRef, Command, Reply } from '../../src/assistant/types.js'
import { STOCK_FILE_MAX_BYTES } from '../../src/inventory/stock-file.js'
import { isAppError } from '../../src/shared/errors.js'
import { ChatPermanentError, ChatRetryAfter } from '../../src/notifications/chat-port.js'
import { encodeAction } from '../../src/notifications/actions.js'
import { message, type NeutralMessage } from '../../src/notifications/message.js'
import { Opt, Perm, snowflake, user } from '../fakes/discord-api.js'
import { startDiscordHarness, type DiscordHarness } from '../fakes/discord-harness.js'

type Call = { channel: ChannelRef; actor: Actor; command: Command }
type Script = (call: Call, progress?: (d: number, t: number) => void) => Promise<Reply> | Reply

const ok = (title: string, extra: Partial<Reply> = {}): Reply => ({ ok: true, message: message({ kind: 'reply', title }), ...extra })

describe('Discord adapter with a scripted core', () => {
  let h: DiscordHarness
  let dir: string
  const calls: Call[] = []
  let script: Script = () => ok('done')
  const assistant: Assistant = {
    async handle(channel, actor, command) {
      calls.push({ channel, actor, command })
      return script({ channel, actor, command })
    },
    async handleWithProgress(channel, actor, command, onProgress) {
      calls.push({ channel, actor, command })
      return script({ channel, actor, command }, onProgress)
    },
    async suggest(_c, _a, field, q) {
      if (field !== 'shop') return [{ name: `${field} ${q}`, value: q }]
      return [
        { name: 'Kitchen store 厨房', value: '7495001' },
        { name: 'Phone cases', value: '7495002' },
      ].filter((s) => s.name.toLowerCase().includes(q.toLowerCase()))
    },
  }
  const channel = (): ChannelInfo => ({ id: 1, platform: 'discord', externalId: h.api.channelId, locale: 'en', timeZone: 'Asia/Shanghai' })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'discord-adapter-'))
    h = await startDiscordHarness({ assistant, env: { DISCORD_OPERATOR_ROLE: 'Shop ops' }, standIn: { guilds: undefined }, maxRateLimitWaitMs: 1500 })
  })
  afterAll(async () => {
    await h?.stop()
  })
  beforeEach(() => {
    calls.length = 0
    script = () => ok('done')
    h.api.clearFailures()
  })

  it('registers every command for the guild with zh-CN names and descriptions, accepted by Discord’s rules', () => {
    const cmds = h.api.commands.guild.get(h.api.guild.id)!
    expect(cmds.map((c) => c.name).sort()).toEqual(
      ['cancel', 'export', 'help', 'label', 'late', 'link', 'mark', 'order', 'orders', 'picklist', 'role', 'settings', 'status', 'stock', 'unlink'].sort(),
    )
    const exp = cmds.find((c) => c.name === 'export')!
    expect(exp.name_localizations['zh-CN']).toBe('导出')
    expect(exp.description_localizations['zh-CN']).toMatch(/导出/)
    const status = exp.options.find((o: { name: string }) => o.name === 'status')
    expect(status.choices.map((c: { value: string }) => c.value)).toEqual(['all', 'unpaid', 'awaiting_shipment', 'shipped', 'completed', 'cancelling', 'cancelled'])
    expect(exp.options.find((o: { name: string }) => o.name === 'shop').autocomplete).toBe(true)
    // a range by name: each choice is a word the exports core reads as a range
    const range = exp.options.find((o: { name: string }) => o.name === 'range')
    expect(range.name_localizations['zh-CN']).toBe('时间范围')
    for (const c of range.choices as { value: string }[]) {
      const f = parseExportFilter({ words: [c.value] }, { now: new Date('2026-11-20T04:30:00Z'), timeZone: 'Asia/Shanghai', shops: [{ id: '1' }] })
      expect(f.label.wholeDays, c.value).toBe(true)
    }
    expect(cmds.find((c) => c.name === 'unlink')!.options).toEqual([expect.objectContaining({ name: 'shop', required: true, autocomplete: true })])
    for (const name of ['order', 'label', 'mark', 'cancel']) expect(cmds.find((c) => c.name === name)!.options[0]).toMatchObject({ name: 'id', autocomplete: true })
    expect(cmds.find((c) => c.name === 'stock')!.options[0]).toMatchObject({ name: 'sku', autocomplete: true })
    const role = cmds.find((c) => c.name === 'role')!
    expect(role.options.map((o: { name: string }) => o.name)).toEqual(['grant', 'revoke'])
  })

  it('registers /stock with a file option (Attachment), an export option (xlsx / csv) and a shop option that autocompletes, in en and zh-CN', () => {
    const stock = h.api.commands.guild.get(h.api.guild.id)!.find((c) => c.name === 'stock')!
    type O = { name: string; type: number; required?: boolean; autocomplete?: boolean }
    const options = stock.options as O[]
    expect(options.map((o) => o.name)).toEqual(['sku', 'quantity', 'add', 'file', 'export', 'shop'])
    expect(options.every((o) => o.required === false)).toBe(true)
    expect(options.find((o) => o.name === 'file')).toEqual({
      type: ApplicationCommandOptionType.Attachment,
      name: 'file',
      name_localizations: { 'zh-CN': '文件' },
      description: 'A stock file (CSV or Excel) with the columns seller_sku and quantity: sets every SKU in it',
      description_localizations: { 'zh-CN': '库存文件(CSV 或 Excel,列为 seller_sku 和 quantity):设置其中每个 SKU' },
      required: false,
    })
    expect(options.find((o) => o.name === 'shop')).toMatchObject({
      type: ApplicationCommandOptionType.String,
      name_localizations: { 'zh-CN': '店铺' },
      description: 'The shop of the file or sheet, when this channel follows several',
      description_localizations: { 'zh-CN': expect.stringMatching(/店铺/) },
      autocomplete: true,
    })
    expect(options.find((o) => o.name === 'export')).toMatchObject({ type: ApplicationCommandOptionType.String, choices: [{ value: 'xlsx' }, { value: 'csv' }].map((c) => expect.objectContaining(c)) })
  })

  it('registers the commands for a guild the bot joins later', async () => {
    const g = { id: snowflake(), name: '第二团队', locale: 'zh-CN', ownerId: snowflake(), channels: [{ id: snowflake(), name: '订单' }], roles: [] }
    h.api.joinGuild(g)
    const cmds = await h.api.waitFor(() => h.api.commands.guild.get(g.id), 3000, 'commands in the new guild')
    expect(cmds).toHaveLength(15)
  })

  it('/export: acknowledged at once, typed options reach the core, the reply is edited in', async () => {
    script = async () => {
      await new Promise((r) => setTimeout(r, 300))
      return ok('Export ready')
    }
    const ia = h.api.slash('export', [Opt.string('status', 'shipped'), Opt.string('time', 'paid'), Opt.string('from', '2026-11-01'), Opt.string('to', '2026-11-20'), Opt.string('template', 'order_list'), Opt.string('format', 'csv'), Opt.string('shop', '7495001')], {
      attachmentSizeLimit: 25 * 1024 * 1024,
      guildLocale: 'zh-CN',
    })
    const out = await ia.outcome()
    expect(out.ack.type).toBe(5)
    expect(out.ack.delayMs).toBeLessThan(3000)
    expect(out.message?.embeds[0].title).toBe('Export ready')
    expect(out.ephemeral).toBe(false)
    expect(calls[0].command).toEqual({
      name: 'export',
      args: { status: 'shipped', time: 'paid', from: '2026-11-01', to: '2026-11-20', template: 'order_list', format: 'csv', shop: '7495001' },
    })
    expect(calls[0].channel).toMatchObject({ platform: 'discord', externalId: h.api.channelId, localeHint: 'zh-CN', uploadLimitBytes: 25 * 1024 * 1024 })
    expect(calls[0].actor).toMatchObject({ platform: 'discord', userId: '100000000000000001', displayName: 'ada', platformOperator: false })
  })

  it('/export with a range by name passes it to the core as a word', async () => {
    await h.api.slash('export', [Opt.string('range', 'last month'), Opt.string('format', 'csv')]).outcome()
    expect(calls[0].command).toMatchObject({ name: 'export', args: { words: ['last month'], format: 'csv' } })
  })

  it('parses /late, /stock, /role grant|revoke, /settings, /unlink with their types', async () => {
    await h.api.slash('late', [Opt.integer('hours', 6)]).outcome()
    await h.api.slash('stock', [Opt.string('sku', 'SKU-A'), Opt.integer('quantity', 0)]).outcome()
    await h.api.slash('stock', [Opt.string('sku', 'SKU-A'), Opt.integer('add', -3)]).outcome()
    await h.api.slash('status', []).outcome()
    const bob = user('200000000000000002', 'bob', { global_name: 'Bob B' })
    h.api.users.set(bob.id, bob)
    await h.api.slash('role', [Opt.sub('grant', [Opt.user('user', bob.id), Opt.string('role', 'operator')])]).outcome()
    await h.api.slash('role', [Opt.sub('revoke', [Opt.user('user', bob.id)])]).outcome()
    await h.api.slash('settings', [Opt.string('language', 'zh-CN'), Opt.string('timezone', 'Asia/Shanghai')]).outcome()
    await h.api.slash('unlink', [Opt.string('shop', ' 7495002 ')]).outcome()
    expect(calls.map((c) => c.command)).toEqual([
      { name: 'late', hours: 6 },
      { name: 'stock', sku: 'SKU-A', quantity: 0 },
      { name: 'stock', sku: 'SKU-A', adjust: -3 },
      { name: 'status' },
      { name: 'grant', target: { userId: bob.id, displayName: 'Bob B' }, role: 'operator' },
      { name: 'revoke', target: { userId: bob.id, displayName: 'Bob B' } },
      { name: 'settings', language: 'zh-CN', timeZone: 'Asia/Shanghai', thresholds: undefined },
      { name: 'unlink', shop: '7495002' },
    ])
  })

  it('/stock with a file: the core gets its name, its size, a read() that downloads it only when called, and the shop', async () => {
    const csv = 'seller_sku,quantity\nMUG-1,4\n手机壳-黑,2\n'
    const lastUpload = () => [...h.api.uploads.values()].at(-1)!
    // the core does not read it (as when the member may not change stock): nothing is downloaded
    await h.api.slash('stock', [Opt.attachment('file', { filename: '库存 11-27.csv', data: csv }), Opt.string('shop', ' UK Store ')]).outcome()
    expect(calls[0].command).toMatchObject({ name: 'stock', shop: 'UK Store', file: { filename: '库存 11-27.csv', sizeBytes: Buffer.byteLength(csv) } })
    expect(calls[0].command).toMatchObject({ sku: undefined, quantity: undefined, adjust: undefined })
    expect(lastUpload().downloads).toEqual([])
    // the core reads it: the bytes come from the attachment's signed URL, as sent
    let got: Uint8Array | undefined
    script = async ({ command }) => {
      if (command.name === 'stock' && command.file) got = await command.file.read()
      return ok('Stock imported')
    }
    const out = await h.api.slash('stock', [Opt.attachment('file', { filename: 'stock.csv', data: csv })]).outcome()
    expect(out.message?.embeds[0].title).toBe('Stock imported')
    expect(Buffer.from(got!).toString('utf8')).toBe(csv)
    const read = lastUpload()
    expect(read.downloads).toEqual([expect.objectContaining({ status: 200, finished: true })])
    const fetched = h.api.requests.find((r) => r.path === new URL(read.url).pathname)!
    expect(fetched.query.get('hm')).toBe(new URL(read.url).searchParams.get('hm'))
    expect(fetched.headers.authorization).toBeUndefined() // the bot token never goes to a file link
    // without a file there is no file
    await h.api.slash('stock', [Opt.string('sku', 'MUG-1')]).outcome()
    expect(calls.at(-1)!.command).toEqual({ name: 'stock', sku: 'MUG-1' })
    // the stock sheet, for a shop
    await h.api.slash('stock', [Opt.string('export', 'csv'), Opt.string('shop', 'UK')]).outcome()
    expect(calls.at(-1)!.command).toEqual({ name: 'stock', sheet: 'csv', shop: 'UK' })
  })

  it('a stock file’s download: a failed answer rejects, a body past 1 MiB stops at 1 MiB + 1 byte, a hanging one times out', async () => {
    let result: unknown
    script = async ({ command }) => {
      if (command.name === 'stock' && command.file) result = await command.file.read().catch((e: unknown) => e)
      return ok('tried')
    }
    const lastUpload = () => [...h.api.uploads.values()].at(-1)!
    // the link expired: read rejects with a plain error (the core answers "could not be fetched")
    await h.api.slash('stock', [Opt.attachment('file', { filename: 's.csv', data: 'seller_sku,quantity\n', status: 404 })]).outcome()
    expect(result).toBeInstanceOf(Error)
    expect(isAppError(result)).toBe(false)
    expect(lastUpload().downloads.map((d) => d.status)).toEqual([404])
    // a body longer than the size Discord reported, without a length: the download stops past the limit
    const huge = Buffer.alloc(64 * 1024 * 1024, 0x41)
    await h.api.slash('stock', [Opt.attachment('file', { filename: 's.csv', data: huge, size: 1000, contentLength: false })]).outcome()
    expect(result).toBeInstanceOf(Uint8Array)
    expect((result as Uint8Array).byteLength).toBe(STOCK_FILE_MAX_BYTES + 1)
    const cut = lastUpload()
    await h.api.waitFor(() => cut.downloads[0]?.closed, 5000, 'the cut-off download to close')
    expect(cut.downloads[0].finished).toBe(false)
    expect(cut.downloads[0].bytesSent).toBeLessThan(huge.length)
    // with a length over the limit: refused before the body, with that length (the core says how big it is)
    await h.api.slash('stock', [Opt.attachment('file', { filename: 's.csv', data: Buffer.alloc(2 * 1024 * 1024, 0x41), size: 1000 })]).outcome()
    expect(result).toBeInstanceOf(DownloadTooLarge)
    expect((result as DownloadTooLarge).sizeBytes).toBe(2 * 1024 * 1024)
    // a download that hangs is given up after the time limit
    const stalled = h.api.addUpload({ filename: 's.csv', data: Buffer.alloc(200_000, 0x41), stall: true })
    const t0 = Date.now()
    await expect(downloadCapped(stalled.url, STOCK_FILE_MAX_BYTES, 300)).rejects.toThrow()
    expect(Date.now() - t0).toBeLessThan(3000)
    await h.api.waitFor(() => stalled.downloads[0]?.closed, 3000, 'the hanging download to close')
  })

  it('reports Manage Server or the configured operator role as platform operator', async () => {
    await h.api.slash('help', [], { actor: { user: user('300000000000000003', 'owner'), permissions: Perm.ManageGuild } }).outcome()
    await h.api.slash('help', [], { actor: { user: user('300000000000000004', 'admin'), permissions: Perm.Administrator } }).outcome()
    const role = { id: snowflake(), name: 'Shop ops', permissions: 0n }
    // the role exists in the guild the bot knows: add it through a guild update
    h.api.guild.roles.push(role)
    h.api.dispatch('GUILD_ROLE_CREATE', { guild_id: h.api.guild.id, role: { id: role.id, name: role.name, permissions: '0', position: 1, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 } })
    await h.api.slash('help', [], { actor: { user: user('300000000000000005', 'packer'), roles: [role.id] } }).outcome()
    await h.api.slash('help', [], { actor: { user: user('300000000000000006', 'viewer') } }).outcome()
    expect(calls.map((c) => c.actor.platformOperator)).toEqual([true, true, true, false])
  })

  it('a refusal is ephemeral: the public "thinking" reply is removed and only the user sees why', async () => {
    script = () => ({ ok: false, ephemeral: true, message: message({ kind: 'error', tone: 'danger', title: 'Only a channel operator can do this.' }) })
    const ia = h.api.slash('picklist')
    const out = await ia.outcome()
    expect(out.followups).toHaveLength(1)
    expect(out.followups[0].flags & 64).toBe(64)
    expect(out.followups[0].embeds[0].title).toBe('Only a channel operator can do this.')
    expect(h.api.message(ia.record.originalId!).deleted).toBe(true)
  })

  it('a core that throws gets an ephemeral answer with a reference, and the bot keeps working', async () => {
    script = () => {
      throw new Error('database is on fire')
    }
    const out = await h.api.slash('orders').outcome()
    const text = out.followups[0]?.content as string
    expect(text).toMatch(/Something went wrong.*ref [0-9a-f]{6}/)
    expect(text).not.toMatch(/fire/)
    expect(out.followups[0].flags & 64).toBe(64)
    script = () => ok('still here')
    expect((await h.api.slash('orders').outcome()).message?.embeds[0].title).toBe('still here')
  })

  it('a long command shows progress, then the result', async () => {
    script = async (_c, progress) => {
      for (let i = 1; i <= 3; i++) {
        progress?.(i * 100, 300)
        await new Promise((r) => setTimeout(r, 120))
      }
      return ok('Exported 300 orders')
    }
    const h2 = h.api.slash('export')
    const out = await h2.outcome(5000, (o) => Boolean(o.message?.embeds.length))
    const msg = h.api.message(h2.record.originalId!)
    expect(msg.history.some((m) => /Working on it… \d+ \/ 300/.test(m.content))).toBe(true)
    expect(out.message?.embeds[0].title).toBe('Exported 300 orders')
    expect(out.message?.content).toBe('')
  })

  it('a button press is deferred, decoded and answered ephemerally; the message is left alone', async () => {
    const posted = await h.bot.port.post(channel(), message({ kind: 'cancel_request', title: 'Cancellation requested', buttons: [[{ label: 'Accept', action: { type: 'cancel.accept', cancelId: '4035' }, style: 'success' }]] }))
    const before = JSON.stringify(h.api.message(posted.messageId).api)
    script = () => ({ ok: false, ephemeral: true, message: message({ kind: 'error', title: 'Only an operator can decide.' }) })
    const out = await h.api.press(posted.messageId, 'ca:4035').outcome()
    expect(out.ack.type).toBe(6)
    expect(calls[0].command).toEqual({ name: 'action', action: { type: 'cancel.accept', cancelId: '4035' } })
    expect(out.followups[0].flags & 64).toBe(64)
    expect(JSON.stringify(h.api.message(posted.messageId).api)).toBe(before)
  })

  it('choices become a select menu of encoded actions; picking one calls the core and replaces the prompt', async () => {
    const posted = await h.bot.port.post(channel(), message({ kind: 'cancel_request', title: 'Cancellation requested', buttons: [[{ label: 'Reject', action: { type: 'cancel.reject_start', cancelId: '4036' }, style: 'danger' }]] }))
    const reasons = Array.from({ length: 30 }, (_, n) => ({ label: `Reason ${n} — ${'long '.repeat(30)}`, action: { type: 'cancel.reject' as const, cancelId: '4036', reason: n } }))
    script = ({ command }) =>
      command.name === 'action' && command.action.type === 'cancel.reject_start'
        ? { ok: true, ephemeral: true, message: message({ kind: 'choice', title: 'Why reject?' }), choices: { prompt: 'Why reject?', options: reasons } }
        : ok('Rejected: package already shipped')
    const press = await h.api.press(posted.messageId, 'cr:4036').outcome()
    const prompt = press.followups[0]
    expect(prompt.flags & 64).toBe(64)
    const menus = prompt.components.map((r: { components: { type: number; options: { value: string }[]; custom_id: string }[] }) => r.components[0])
    expect(menus.every((m: { type: number }) => m.type === 3)).toBe(true)
    expect(menus.flatMap((m: { options: unknown[] }) => m.options)).toHaveLength(30)
    expect(menus[0].options[2].value).toBe(encodeAction({ type: 'cancel.reject', cancelId: '4036', reason: 2 }))
    const pick = await h.api.select(prompt.id, menus[0].custom_id, [menus[0].options[2].value]).outcome()
    expect(calls.at(-1)!.command).toEqual({ name: 'action', action: { type: 'cancel.reject', cancelId: '4036', reason: 2 } })
    expect(pick.ack.type).toBe(6)
    expect(pick.message?.embeds[0].title).toBe('Rejected: package already shipped')
    expect(pick.message?.components).toEqual([])
  })

  it('an unknown or stale button gets an ephemeral "no longer valid"', async () => {
    const posted = await h.api.waitFor(() => h.api.channelMessages().at(-1))
    const out = await h.api.press(posted.api.id, 'zz:nope', { snapshot: { ...posted.api, components: [{ type: 1, components: [{ type: 2, style: 2, label: 'x', custom_id: 'zz:nope' }] }] } }).outcome()
    expect(out.ack.type).toBe(4)
    expect(out.ephemeral).toBe(true)
    expect(out.message?.content).toMatch(/no longer valid/)
    expect(calls).toHaveLength(0)
  })

  it('files go up as attachments within the upload limit, oversize ones are explained, and all are deleted', async () => {
    const small = join(dir, 'orders.csv')
    const big = join(dir, 'big.csv')
    writeFileSync(small, 'order_id,total\n576601,50.00\n')
    writeFileSync(big, Buffer.alloc(2048, 65))
    script = () =>
      ok('Export ready', {
        files: [
          { path: small, filename: 'orders.csv', mime: 'text/csv', sizeBytes: 27, caption: '1 order' },
          { path: big, filename: 'big.csv', mime: 'text/csv', sizeBytes: 2048 },
        ],
      })
    const ia = h.api.slash('export', [], { attachmentSizeLimit: 1024 })
    const out = await ia.outcome()
    const msg = h.api.message(ia.record.originalId!)
    expect(out.message?.attachments.map((a: { filename: string }) => a.filename)).toEqual(['orders.csv'])
    expect(h.api.file(msg).data.toString()).toBe('order_id,total\n576601,50.00\n')
    expect(out.message?.content).toMatch(/1 order/)
    expect(out.message?.content).toMatch(/big\.csv is 0\.0 MiB, over this server’s upload limit/)
    await h.api.waitFor(() => !existsSync(small) && !existsSync(big), 2000, 'the files to be deleted')
  })

  it('autocompletes /export shop from the core, within the time limit', async () => {
    const out = await h.api.autocomplete('export', [Opt.string('shop', 'kit', true)]).outcome()
    expect(out.ack.type).toBe(8)
    expect(out.choices).toEqual([{ name: 'Kitchen store 厨房', value: '7495001' }])
    expect((await h.api.autocomplete('unlink', [Opt.string('shop', 'phone', true)]).outcome()).choices).toEqual([{ name: 'Phone cases', value: '7495002' }])
    // an order's id, in each command that takes one, asks the core for orders
    for (const name of ['order', 'label', 'cancel']) {
      const typed = await h.api.autocomplete(name, [Opt.string('id', '1667', true)]).outcome()
      expect(typed.choices).toEqual([{ name: 'order 1667', value: '1667' }])
    }
    // /stock's SKU asks the core for SKUs
    expect((await h.api.autocomplete('stock', [Opt.string('sku', 'tote', true)]).outcome()).choices).toEqual([{ name: 'sku tote', value: 'tote' }])
    // /stock's shop (for a file) asks the core for shops
    expect((await h.api.autocomplete('stock', [Opt.string('shop', 'kit', true)]).outcome()).choices).toEqual([{ name: 'Kitchen store 厨房', value: '7495001' }])
  })

  it('resumes after the gateway drops and answers what arrived meanwhile', async () => {
    const identifies = h.api.gatewayLog.filter((g) => g.op === 2).length
    h.api.dropConnection()
    script = () => ok('after resume')
    const out = await h.api.slash('help').outcome(8000)
    expect(out.message?.embeds[0].title).toBe('after resume')
    expect(h.api.gatewayLog.filter((g) => g.op === 2).length).toBe(identifies)
    expect(h.api.gatewayLog.some((g) => g.op === 6)).toBe(true)
  })

  it('reconnects with a new session when Discord refuses the resume', async () => {
    h.api.resumeMode = 'invalid'
    try {
      const identifies = h.api.gatewayLog.filter((g) => g.op === 2).length
      h.api.dropConnection()
      await h.api.waitFor(() => h.api.gatewayLog.filter((g) => g.op === 2).length > identifies && h.api.connected, 9000, 'a new identify')
      await h.api.waitForSession()
      script = () => ok('new session')
      expect((await h.api.slash('help').outcome()).message?.embeds[0].title).toBe('new session')
    } finally {
      h.api.resumeMode = 'replay'
    }
  }, 15_000)

  describe('ChatPort', () => {
    const big = (): NeutralMessage =>
      message({
        kind: 'digest',
        tone: 'warning',
        title: 'T'.repeat(300),
        lines: [['@everyone buyer says: **free** <@&123> [click](https://evil.example) ', { at: '2026-11-20T08:00:00Z', style: 'both' }], ['x'.repeat(5000)]],
        fields: Array.from({ length: 30 }, (_, i) => ({ label: `Field ${i}`, value: ['v'.repeat(1500)], inline: true })),
        buttons: [Array.from({ length: 7 }, (_, i) => ({ label: `B${i}`, action: { type: 'order.show' as const, orderId: `57660${i}` } }))],
        footer: ['Due ', { at: '2026-11-20T08:00:00Z' }],
      })

    it('renders an oversized message within Discord’s limits, escaped, with no mentions allowed', async () => {
      const { messageId } = await h.bot.port.post(channel(), big())
      const m = h.api.message(messageId)
      const e = m.api.embeds[0]
      expect(e.fields).toHaveLength(25)
      expect(e.color).toBe(0xf59e0b)
      expect(e.description).toContain('<t:1795161600:f> (<t:1795161600:R>)')
      expect(e.description).toContain('@\u200beveryone')
      expect(e.description).toContain('\\*\\*free\\*\\*')
      expect(e.description).not.toContain('<@&123>')
      expect(e.footer.text).toBe('Due 2026-11-20 16:00 Asia/Shanghai')
      expect(m.api.components.map((r: { components: unknown[] }) => r.components.length)).toEqual([5, 2])
      expect(m.allowedMentions).toEqual({ parse: [] })
      expect(h.api.pings(m.api.content, m.allowedMentions)).toEqual({ everyone: false, users: [], roles: [] })
    })

    it('edits a posted message (buttons removed)', async () => {
      const { messageId } = await h.bot.port.post(channel(), message({ kind: 'x', title: 'Pending', buttons: [[{ label: 'Accept', action: { type: 'cancel.accept', cancelId: '9' } }]] }))
      await h.bot.port.edit(channel(), messageId, message({ kind: 'x', title: 'Accepted by Ada', tone: 'success' }))
      const m = h.api.message(messageId)
      expect(m.api.embeds[0].title).toBe('Accepted by Ada')
      expect(m.api.components).toEqual([])
      expect(m.allowedMentions).toEqual({ parse: [] })
    })

    it('waits out a short 429 and surfaces a long one as ChatRetryAfter (nothing is posted)', async () => {
      const isPost = (m: string, p: string) => m === 'POST' && p.endsWith('/messages')
      h.api.fail({ status: 429, times: 1, retryAfter: 1, match: isPost })
      const n = h.api.channelMessages().length
      await h.bot.port.post(channel(), message({ kind: 'x', title: 'short wait' }))
      expect(h.api.channelMessages()).toHaveLength(n + 1)
      h.api.fail({ status: 429, times: 1, retryAfter: 30, match: isPost })
      const err = await h.bot.port.post(channel(), message({ kind: 'x', title: 'long wait' })).catch((e) => e)
      expect(err).toBeInstanceOf(ChatRetryAfter)
      expect((err as ChatRetryAfter).retryAfterMs).toBeGreaterThanOrEqual(30_000)
      expect(h.api.channelMessages()).toHaveLength(n + 1)
    })

    it('a 5xx whose answer was lost is retried without posting twice (nonce)', async () => {
      h.api.fail({ status: 500, times: 1, afterProcessing: true, match: (m, p) => m === 'POST' && p.endsWith('/messages') })
      const n = h.api.channelMessages().length
      const { messageId } = await h.bot.port.post(channel(), message({ kind: 'x', title: 'exactly once' }))
      expect(h.api.channelMessages()).toHaveLength(n + 1)
      expect(h.api.message(messageId).api.embeds[0].title).toBe('exactly once')
    })

    it('persistent 5xx is a transient error; Unknown Channel and Missing Access are permanent', async () => {
      h.api.fail({ status: 503, times: 10, match: (m, p) => m === 'POST' && p.endsWith('/messages') })
      const transient = await h.bot.port.post(channel(), message({ kind: 'x', title: 'down' })).catch((e) => e)
      expect(transient).toBeInstanceOf(Error)
      expect(transient).not.toBeInstanceOf(ChatPermanentError)
      expect(transient).not.toBeInstanceOf(ChatRetryAfter)
      h.api.clearFailures()
      await expect(h.bot.port.post({ ...channel(), externalId: '999' }, message({ kind: 'x', title: 'gone' }))).rejects.toBeInstanceOf(ChatPermanentError)
      h.api.forbiddenChannels.add(h.api.channelId)
      try {
        await expect(h.bot.port.post(channel(), message({ kind: 'x', title: 'no access' }))).rejects.toBeInstanceOf(ChatPermanentError)
      } finally {
        h.api.forbiddenChannels.delete(h.api.channelId)
      }
      await expect(h.bot.port.edit(channel(), '123456', message({ kind: 'x', title: 'no such message' }))).rejects.toBeInstanceOf(ChatPermanentError)
    })
  })

  it('every message write carried allowed_mentions with an empty parse list', () => {
    const writes = h.api.messageWrites()
    expect(writes.length).toBeGreaterThan(10)
    for (const w of writes) {
      const body = /\/callback$/.test(w.path) ? w.body?.data : w.body
      expect({ path: w.path, am: body?.allowed_mentions }).toEqual({ path: w.path, am: { parse: [] } })
    }
  })

  it('registerGlobalCommands puts the commands globally; a guild joined afterwards gets no duplicate copy', async () => {
    const res = await registerGlobalCommands(h.config)
    expect(res).toEqual({ applicationId: h.api.appId, count: 15 })
    expect(h.api.commands.global).toHaveLength(15)
    const g = { id: snowflake(), name: 'Third', locale: 'en-US', ownerId: snowflake(), channels: [{ id: snowflake(), name: 'orders' }], roles: [] }
    h.api.joinGuild(g)
    expect(await h.api.waitFor(() => h.api.commands.guild.get(g.id), 3000, 'the guild registration')).toEqual([])
  })
})
