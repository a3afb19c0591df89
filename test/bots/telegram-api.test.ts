/** The Bot API stand-in itself, driven by a plain telegraf bot: polling, webhook, multipart, errors. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Telegraf } from 'telegraf'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FakeTelegram, parseTelegramHtml, type TgUser } from '../fakes/telegram-api.js'

const alice: TgUser = { id: 501, is_bot: false, first_name: 'Alice', language_code: 'en' }

describe('Telegram Bot API stand-in', () => {
  let tg: FakeTelegram
  let bot: Telegraf
  beforeEach(async () => {
    tg = await FakeTelegram.start()
    tg.addChat({ id: -100111, title: 'Shop team' })
    bot = new Telegraf(tg.token, { telegram: { apiRoot: tg.apiRoot, webhookReply: false } })
  })
  afterEach(async () => {
    try {
      bot.stop('test end')
    } catch {}
    await tg.stop()
  })

  it('long-polls updates with offset, and telegraf answers a command', async () => {
    bot.command('ping', (ctx) => ctx.reply(`pong ${ctx.payload}`))
    void bot.launch()
    tg.userSays(-100111, alice, '/ping@ShopHelperBot one')
    expect((await tg.nextSent(-100111, 0)).text).toBe('pong one')
    tg.userSays(-100111, alice, '/ping two')
    expect((await tg.nextSent(-100111, 1)).text).toBe('pong two')
    await tg.waitFor(() => tg.pendingUpdates() === 0, 2000, 'updates confirmed')
    // a long poll waits for its timeout when there is nothing to give
    const t0 = Date.now()
    const res = await fetch(`${tg.apiRoot}/bot${tg.token}/getUpdates?timeout=1&offset=100`)
    expect(await res.json()).toEqual({ ok: true, result: [] })
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900)
  })

  it('receives multipart documents, answers callbacks and refuses bad HTML in the Bot API error shape', async () => {
    const m = await bot.telegram.sendMessage(-100111, 'a &lt;b&gt; <b>bold</b>', {
      parse_mode: 'HTML',
      reply_markup: { inline_keyboard: [[{ text: 'Go', callback_data: 'ca:1' }]] },
    })
    expect(tg.message(-100111, m.message_id).text).toBe('a <b> bold')
    await bot.telegram.sendDocument(-100111, { source: Buffer.from('id,name\n1,Ann\n'), filename: 'orders.csv' }, { caption: 'file', reply_markup: { inline_keyboard: [] } })
    const doc = tg.sent(-100111)[1]!
    expect(doc.document?.file_name).toBe('orders.csv')
    expect(doc.bytes?.toString()).toBe('id,name\n1,Ann\n')
    await expect(bot.telegram.sendMessage(-100111, 'x <y> z', { parse_mode: 'HTML' })).rejects.toMatchObject({ code: 400, description: expect.stringMatching(/can't parse entities/) })
    await expect(bot.telegram.sendMessage(-999, 'hi')).rejects.toMatchObject({ code: 400, description: 'Bad Request: chat not found' })
    await expect(bot.telegram.editMessageText(-100111, m.message_id, undefined, 'a &lt;b&gt; <b>bold</b>', { parse_mode: 'HTML', reply_markup: { inline_keyboard: [[{ text: 'Go', callback_data: 'ca:1' }]] } })).rejects.toMatchObject({ code: 400, description: expect.stringMatching(/message is not modified/) })
    tg.fail({ code: 429, retryAfter: 3, count: 1, methods: ['sendMessage'] })
    await expect(bot.telegram.sendMessage(-100111, 'hi')).rejects.toMatchObject({ code: 429, parameters: { retry_after: 3 } })
    await bot.telegram.sendMessage(-100111, 'hi again')
    await bot.telegram.setMyCommands([{ command: 'help', description: '帮助' }], { language_code: 'zh' })
    expect(tg.commands.get('zh')).toEqual([{ command: 'help', description: '帮助' }])
    bot.on('callback_query', (ctx) => ctx.answerCbQuery('done'))
    void bot.launch()
    tg.press(-100111, m.message_id, alice, 'ca:1')
    await tg.waitFor(() => tg.callbackAnswers.length === 1)
    expect(tg.callbackAnswers[0]!.text).toBe('done')
  })

  it('pushes updates to a webhook with the secret token header', async () => {
    const seen: string[] = []
    bot.command('ping', (ctx) => ctx.reply('pong'))
    const cb = bot.webhookCallback('/tg', { secretToken: 's3cret' })
    const server = createServer((req, res) => {
      seen.push(String(req.headers['x-telegram-bot-api-secret-token']))
      void cb(req, res)
    }).listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    try {
      await bot.telegram.setWebhook(`http://127.0.0.1:${(server.address() as AddressInfo).port}/tg`, { secret_token: 's3cret' })
      tg.userSays(-100111, alice, '/ping')
      expect((await tg.nextSent(-100111, 0)).text).toBe('pong')
      expect(seen).toEqual(['s3cret'])
      await expect(bot.telegram.getUpdates(0, 1, 0, [])).rejects.toMatchObject({ code: 409 })
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  it('parses Telegram HTML like the real API', () => {
    expect(parseTelegramHtml('<b>a</b> &amp; &lt;i&gt; &#64;')).toBe('a & <i> @')
    expect(() => parseTelegramHtml('<div>x</div>')).toThrow(/unsupported start tag/)
    expect(() => parseTelegramHtml('a & b')).toThrow(/reserved/)
    expect(() => parseTelegramHtml('<b>x')).toThrow(/end tag/)
  })
})
