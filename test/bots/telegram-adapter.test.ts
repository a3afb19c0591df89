/**
 * The Telegram adapter (real telegraf bot) against the Bot API stand-in, with a scripted core:
 * what the adapter itself owes — parsing, channel and actor, replies, refusals, choices, the export
 * picker, documents, errors, retries and webhook mode. The flows with the real core are in
 * telegram-flows.test.ts.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Actor, Assistant, ChannelRef, Command, Reply } from '../../src/assistant/types.js'
import { COMMAND_DOCS } from '../../src/i18n/commands.js'
import { encodeAction } from '../../src/notifications/actions.js'
import { message } from '../../src/notifications/message.js'
import { TELEGRAM_LIMITS } from '../../bots/telegram/rate-limit.js'
import { FakeTelegram } from '../fakes/telegram-api.js'
import { FORUM_ID, GROUP_ID, startTelegramHarness, user, type TelegramHarness } from '../fakes/telegram-harness.js'

type Call = { channel: ChannelRef; actor: Actor; command: Command; progress?: boolean }
type Script = (call: Call, progress?: (d: number, t: number) => void) => Promise<Reply> | Reply
const ok = (title: string, extra: Partial<Reply> = {}): Reply => ({ ok: true, message: message({ kind: 'reply', title }), ...extra })
const refused = (title: string): Reply => ({ ok: false, ephemeral: true, message: message({ kind: 'error', tone: 'danger', title }) })

const alice = user(501, 'Alice')
const bob = user(502, 'Bob', 'zh-hans')

describe('Telegram adapter with a scripted core', () => {
  let h: TelegramHarness
  let dir: string
  const calls: Call[] = []
  let script: Script = () => ok('done')
  const assistant: Assistant = {
    async handle(channel, actor, command) {
      calls.push({ channel, actor, command })
      return script({ channel, actor, command })
    },
    async handleWithProgress(channel, actor, command, onProgress) {
      calls.push({ channel, actor, command, progress: true })
      return script({ channel, actor, command }, onProgress)
    },
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'telegram-adapter-'))
    // more than Telegram's 20 a minute go to one group here; the limit itself is tested in telegram-render.test.ts
    h = await startTelegramHarness({ assistant, progress: { afterMs: 100, everyMs: 100 }, limits: { ...TELEGRAM_LIMITS, perChat: 500 } })
    h.tg.setMember(GROUP_ID, alice.id, 'administrator')
  })
  afterAll(async () => {
    await h?.stop()
  })
  beforeEach(() => {
    calls.length = 0
    script = () => ok('done')
  })

  const say = (text: string, from = alice, chat = GROUP_ID, threadId?: number) => {
    const before = h.tg.sent(chat).length
    const m = h.tg.userSays(chat, from, text, { threadId })
    return { m, next: () => h.tg.nextSent(chat, before) }
  }

  it('registers its commands in English and Chinese', () => {
    expect(h.tg.commands.get('')).toEqual(COMMAND_DOCS.map((c) => ({ command: c.name, description: c.en })))
    expect(h.tg.commands.get('en')).toEqual(h.tg.commands.get(''))
    expect(h.tg.commands.get('zh')).toEqual(COMMAND_DOCS.map((c) => ({ command: c.name, description: c.zh })))
  })

  it('turns a command into a core call with channel and actor, and replies to it', async () => {
    script = () => ok('3 orders <shipped> & more')
    const { m, next } = say('/orders@ShopHelperBot shipped')
    const reply = await next()
    expect(calls).toHaveLength(1)
    expect(calls[0]!.command).toEqual({ name: 'orders', status: 'shipped' })
    expect(calls[0]!.channel).toMatchObject({ platform: 'telegram', externalId: String(GROUP_ID), title: 'Shop team 店铺群', localeHint: 'en', uploadLimitBytes: 50 * 1024 * 1024 })
    expect(calls[0]!.actor).toEqual({ platform: 'telegram', userId: '501', displayName: 'Alice', platformOperator: true })
    expect(reply.text).toBe('3 orders <shipped> & more')
    expect(h.tg.calls.find((c) => c.method === 'sendMessage' && c.params.text?.includes('3 orders'))!.params.reply_parameters).toMatchObject({ message_id: m.message_id })
  })

  it('reports a member who is not a chat administrator as such', async () => {
    const { next } = say('/late 6', bob)
    await next()
    expect(calls[0]!.command).toEqual({ name: 'late', hours: 6 })
    expect(calls[0]!.actor).toMatchObject({ userId: '502', platformOperator: false })
    expect(calls[0]!.channel.localeHint).toBe('zh-hans')
  })

  it('uses chat:thread as the channel in a forum topic and answers in the topic', async () => {
    const { next } = say('/help', alice, FORUM_ID, 42)
    const reply = await next()
    expect(calls[0]!.channel.externalId).toBe(`${FORUM_ID}:42`)
    expect(reply.message_thread_id).toBe(42)
  })

  it('answers a bad command with what to change, without calling the core', async () => {
    const { next } = say('/export colour=red')
    const reply = await next()
    expect(calls).toHaveLength(0)
    expect(reply.text).toMatch(/Unknown key “colour”.*status, time, from, to, template, format/)
    const r2 = say('/order')
    expect((await r2.next()).text).toMatch(/order ID is missing/)
  })

  it('ignores commands for another bot and plain chat', async () => {
    h.tg.userSays(GROUP_ID, alice, '/help@SomeOtherBot')
    h.tg.userSays(GROUP_ID, alice, 'just chatting about /help')
    const { next } = say('/help')
    await next()
    expect(calls.map((c) => c.command.name)).toEqual(['help'])
  })

  it('says hello with how to link when added to a group', async () => {
    const before = h.tg.sent(GROUP_ID).length
    h.tg.addBotToChat(GROUP_ID, bob)
    const hello = await h.tg.nextSent(GROUP_ID, before)
    expect(hello.text).toMatch(/发送 \/link 代码/)
    expect(calls).toHaveLength(0)
  })

  it('/grant as a reply to a member names that member', async () => {
    const target = h.tg.userSays(GROUP_ID, bob, 'hi all')
    const before = h.tg.sent(GROUP_ID).length
    h.tg.userSays(GROUP_ID, alice, '/grant operator', { replyTo: target })
    await h.tg.nextSent(GROUP_ID, before)
    expect(calls[0]!.command).toEqual({ name: 'grant', role: 'operator', target: { userId: '502', displayName: 'Bob' } })
  })

  it('a press is answered at once, then decoded and sent to the core; a refusal leaves the message and says why', async () => {
    const posted = await h.bot.port.post({ id: 1, platform: 'telegram', externalId: String(GROUP_ID), locale: 'en', timeZone: 'UTC' }, message({
      kind: 'cancel_request',
      title: 'Cancellation requested',
      buttons: [[{ label: 'Accept', action: { type: 'cancel.accept', cancelId: '4035' } }]],
    }))
    const msg = h.tg.message(GROUP_ID, Number(posted.messageId))
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    script = async () => {
      await gate
      return refused('Only operators can do that; you are a viewer.')
    }
    const before = h.tg.sent(GROUP_ID).length
    const id = h.tg.press(GROUP_ID, msg.message_id, bob, h.tg.button(msg, 'Accept'))
    await h.tg.waitFor(() => h.tg.callbackAnswers.find((a) => a.callback_query_id === id), 2000, 'the callback answer')
    await h.tg.waitFor(() => calls.length === 1)
    release()
    const reply = await h.tg.nextSent(GROUP_ID, before)
    expect(calls[0]!.command).toEqual({ name: 'action', action: { type: 'cancel.accept', cancelId: '4035' } })
    expect(reply.text).toBe('⛔ Bob: Only operators can do that; you are a viewer.')
    expect(msg.edits).toBe(0)
    expect(msg.reply_markup).toBeDefined()
  })

  it('a reply with choices becomes an inline keyboard of the choices', async () => {
    const posted = await h.bot.port.post({ id: 1, platform: 'telegram', externalId: String(GROUP_ID), locale: 'en', timeZone: 'UTC' }, message({
      kind: 'cancel_request',
      title: 'Cancellation requested',
      buttons: [[{ label: 'Reject', action: { type: 'cancel.reject_start', cancelId: '4036' } }]],
    }))
    const options = ['Buyer changed mind', 'Already shipped'].map((label, i) => ({ label, action: { type: 'cancel.reject' as const, cancelId: '4036', reason: i } }))
    script = () => ({ ok: true, ephemeral: true, message: message({ kind: 'choice', title: 'Why reject?' }), choices: { prompt: 'Why reject?', options } })
    const before = h.tg.sent(GROUP_ID).length
    h.tg.press(GROUP_ID, Number(posted.messageId), alice, 'cr:4036')
    const picker = await h.tg.nextSent(GROUP_ID, before)
    expect(picker.text).toContain('Why reject?')
    expect(picker.reply_markup!.inline_keyboard.flat()).toEqual(options.map((o) => ({ text: o.label, callback_data: encodeAction(o.action) })))
  })

  it('/export with no arguments opens a picker; the last choice runs the export and sends the file', async () => {
    const file = join(dir, 'orders.csv')
    writeFileSync(file, 'order_id,buyer\n576600001,"<b>Ann</b> & co"\n')
    script = (call, progress) => {
      progress?.(10, 20)
      return ok('Export ready: 1 order', { files: [{ path: file, filename: 'orders-2026-11-20.csv', mime: 'text/csv', sizeBytes: 44, caption: '1 order · <paid>' }] })
    }
    const { next } = say('/export')
    const picker = await next()
    expect(calls).toHaveLength(0)
    const press = async (label: string) => {
      const data = h.tg.button(picker, label)
      const edits = picker.edits
      h.tg.press(GROUP_ID, picker.message_id, alice, data)
      await h.tg.waitFor(() => picker.edits > edits, 3000, `the picker after ${label}`)
    }
    await press('Awaiting shipment')
    await press('Paid · last 30 days')
    await press('Package list')
    const before = h.tg.sent(GROUP_ID).length
    h.tg.press(GROUP_ID, picker.message_id, alice, h.tg.button(picker, 'CSV'))
    const doc = await h.tg.waitFor(() => h.tg.sent(GROUP_ID).slice(before).find((m) => m.document), 4000, 'the document')
    expect(calls).toHaveLength(1)
    expect(calls[0]!.progress).toBe(true)
    expect(calls[0]!.command).toMatchObject({ name: 'export', args: { status: 'awaiting_shipment', time: 'paid', template: 'package_list', format: 'csv' } })
    const args = (calls[0]!.command as Extract<Command, { name: 'export' }>).args
    expect(args.from! < args.to!).toBe(true)
    expect(doc.document!.file_name).toBe('orders-2026-11-20.csv')
    expect(doc.bytes!.toString()).toBe('order_id,buyer\n576600001,"<b>Ann</b> & co"\n')
    expect(doc.caption).toBe('1 order · <paid>')
    await h.tg.waitFor(() => !existsSync(file), 2000, 'the sent file to be deleted') // the adapter deletes the file it sent
    expect(picker.reply_markup).toBeUndefined()
    expect(picker.text).toContain('Awaiting shipment · Paid · last 30 days · Package list · CSV')
  })

  it('a long export shows its progress in a status message, removed when the file is there', async () => {
    const file = join(dir, 'big.csv')
    writeFileSync(file, 'a\n1\n')
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))
    script = async (_call, progress) => {
      await wait(150)
      progress?.(5_000, 12_000)
      await wait(150)
      progress?.(12_000, 12_000)
      await wait(50)
      return ok('Export ready', { files: [{ path: file, filename: 'big.csv', mime: 'text/csv', sizeBytes: 4 }] })
    }
    const { next } = say('/export status=all format=csv')
    const status = await next()
    expect(status.text).toBe('⏳ Exporting… 5,000 / 12,000')
    await h.tg.waitFor(() => status.text === '⏳ Exporting… 12,000 / 12,000', 3000, 'the progress update')
    await h.tg.waitFor(() => h.tg.sent(GROUP_ID).find((m) => m.document?.file_name === 'big.csv'), 3000, 'the file')
    await h.tg.waitFor(() => status.deleted, 3000, 'the status message removed')
  })

  it('a failing core or a 429 on the reply does not stop the bot; every command gets an answer', async () => {
    script = () => {
      throw new Error('database on fire')
    }
    const r1 = say('/orders')
    expect((await r1.next()).text).toMatch(/Something went wrong/)
    script = () => ok('still here')
    h.tg.fail({ code: 429, retryAfter: 1, count: 1, methods: ['sendMessage'] })
    const r2 = say('/orders')
    expect((await r2.next()).text).toBe('still here')
    h.tg.fail({ code: 500, forMs: 300, methods: ['getUpdates'] })
    await new Promise((r) => setTimeout(r, 400))
    const r3 = say('/help')
    expect((await r3.next()).text).toBe('still here')
  }, 15_000)
})

describe('Telegram adapter in webhook mode', () => {
  it('sets the webhook with a secret, receives updates on its own server, refuses a wrong secret', async () => {
    const free = createServer().listen(0, '127.0.0.1')
    await new Promise((r) => free.once('listening', r))
    const port = (free.address() as AddressInfo).port
    await new Promise((r) => free.close(r))
    const tg = await FakeTelegram.start()
    const calls: Command[] = []
    const h = await startTelegramHarness({
      tg,
      assistant: { handle: async (_c, _a, command) => (calls.push(command), ok('pong')) },
      env: { TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks/telegram`, TELEGRAM_WEBHOOK_SECRET: 'hook_secret-1' },
    })
    try {
      expect(h.bot.mode).toBe('webhook')
      expect(tg.webhook).toEqual({ url: `http://127.0.0.1:${port}/hooks/telegram`, secret: 'hook_secret-1' })
      expect(tg.calls.some((c) => c.method === 'getUpdates')).toBe(false)
      tg.userSays(GROUP_ID, alice, '/stock SKU-A 12')
      expect((await tg.nextSent(GROUP_ID, 0)).text).toBe('pong')
      expect(calls).toEqual([{ name: 'stock', sku: 'SKU-A', quantity: 12 }])
      const forged = await fetch(`http://127.0.0.1:${port}/hooks/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong' },
        body: JSON.stringify({ update_id: 999, message: { message_id: 1, date: 0, chat: { id: GROUP_ID, type: 'supergroup' }, from: alice, text: '/help', entities: [{ type: 'bot_command', offset: 0, length: 5 }] } }),
      })
      expect(forged.status).toBe(403)
      expect(calls).toHaveLength(1)
      // the same update delivered twice (a retried webhook) is handled once
      const update = JSON.stringify({ update_id: 1000, message: { message_id: 50, date: 0, chat: { id: GROUP_ID, type: 'supergroup', title: 'g' }, from: alice, text: '/help', entities: [{ type: 'bot_command', offset: 0, length: 5 }] } })
      for (let i = 0; i < 2; i++) {
        const r = await fetch(`http://127.0.0.1:${port}/hooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'hook_secret-1' }, body: update })
        expect(r.status).toBe(200)
      }
      await tg.nextSent(GROUP_ID, 1)
      await new Promise((r) => setTimeout(r, 200))
      expect(calls).toEqual([{ name: 'stock', sku: 'SKU-A', quantity: 12 }, { name: 'help' }])
      expect(h.logs.join('\n')).not.toContain('hook_secret-1')
    } finally {
      await h.stop()
    }
  })
})

describe('Telegram adapter against a sparser Bot API server', () => {
  it('polls without deleteWebhook, works without setMyCommands, getChatMember and answerCallbackQuery', async () => {
    const tg = await FakeTelegram.start()
    for (const m of ['deleteWebhook', 'setMyCommands', 'getChatMember', 'answerCallbackQuery']) tg.missing.add(m)
    const seen: Call[] = []
    const h = await startTelegramHarness({ tg, assistant: { handle: async (channel, actor, command) => (seen.push({ channel, actor, command }), ok('pong')) } })
    try {
      tg.userSays(GROUP_ID, alice, '/help')
      expect((await tg.nextSent(GROUP_ID, 0)).text).toBe('pong')
      expect(seen[0]!.actor.platformOperator).toBe(false)
      const m = tg.sent(GROUP_ID)[0]!
      tg.press(GROUP_ID, m.message_id, alice, 'os:5766')
      expect((await tg.nextSent(GROUP_ID, 1)).text).toBe('pong')
      expect(seen[1]!.command).toEqual({ name: 'action', action: { type: 'order.show', orderId: '5766' } })
    } finally {
      await h.stop()
    }
  })
})

