/**
 * The Telegram adapter: telegraf bot ↔ the assistant core. Thin: text → parseTextCommand → core →
 * render the Reply; button press → answer the callback at once → decodeAction → core → show the
 * outcome. Long polling by default; webhook mode (with a secret token) when TELEGRAM_WEBHOOK_URL is set.
 * Work for an update runs detached from telegraf's update loop, so one slow export never holds up
 * the other chats; every handler error ends in a reply and a log line, never in a stopped bot.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Telegraf, type Context } from 'telegraf'
import type { CallbackQuery, Message, Update, User } from 'telegraf/types'
import type { Actor, Assistant, ChannelInfo, ChannelRef, Command, IncomingFile, Locale, Reply } from '../../src/assistant/types.js'
import { parseTextCommand } from '../../src/commands/parse-text.js'
import type { Config } from '../../src/config.js'
import { STOCK_FILE_MAX_BYTES, stockFileKind } from '../../src/inventory/stock-file.js'
import { COMMAND_DOCS } from '../../src/i18n/commands.js'
import { decodeAction, encodeAction } from '../../src/notifications/actions.js'
import { ChatRetryAfter, type ChatPort } from '../../src/notifications/chat-port.js'
import { message, messageText, type NeutralMessage } from '../../src/notifications/message.js'
import { downloadCapped } from '../../src/shared/download.js'
import { registerSecret, type Logger } from '../../src/shared/logger.js'
import { channelExternalId, topicOf, type TelegramTarget } from './channel.js'
import { isNotModified, mapTelegramError, TelegramChatPort } from './chat-port.js'
import { PICKER_PREFIX, pickerPress, pickerStart } from './export-picker.js'
import { SendLimiter, TELEGRAM_LIMITS, type RateLimits } from './rate-limit.js'
import { escapeHtml, renderMessage, type InlineKeyboard } from './render.js'

export const UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024
const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const

export interface TelegramBotOptions {
  config: Config
  assistant: Assistant
  logger: Logger
  /** send limits (tests use smaller windows) */
  limits?: RateLimits
  /** longest wait for a send slot before the outbox is told to come back later (default 3 s) */
  maxWaitMs?: number
  /** export progress: first shown after `afterMs` (default 1.5 s), then at most every `everyMs` (default 2.5 s) */
  progress?: { afterMs: number; everyMs: number }
  /** how long a chat-administrator answer is trusted (default 60 s) */
  operatorCacheMs?: number
  /** webhook mode: mount the handler on the app's HTTP server instead of our own */
  mountWebhook?: (path: string, handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => void
  /** webhook mode without mountWebhook: where our own server listens (default HTTP_HOST, the URL's port or 8443) */
  webhookListen?: { host: string; port: number }
}

export interface TelegramBot {
  port: ChatPort
  stop(): Promise<void>
  username: string
  mode: 'polling' | 'webhook'
  /** webhook mode with our own server: where it listens */
  webhookAddress?: { host: string; port: number; path: string }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const localeOf = (code: string | undefined): Locale => (code?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en')
const L = (locale: Locale, en: string, zh: string) => (locale === 'zh-CN' ? zh : en)
const displayName = (u: User) => [u.first_name, u.last_name].filter(Boolean).join(' ') || (u.username ? `@${u.username}` : String(u.id))

export async function startTelegramBot(opts: TelegramBotOptions): Promise<TelegramBot> {
  const tgConfig = opts.config.telegram
  if (!tgConfig) throw new Error('TELEGRAM_BOT_TOKEN is not set')
  const { assistant } = opts
  const logger = opts.logger.child({ adapter: 'telegram' })
  registerSecret(tgConfig.token)
  registerSecret(tgConfig.webhookSecret)

  const bot = new Telegraf(tgConfig.token, { telegram: { apiRoot: tgConfig.apiRoot, webhookReply: false }, handlerTimeout: 30_000 })
  const telegram = bot.telegram
  const limiter = new SendLimiter(opts.limits ?? TELEGRAM_LIMITS)

  /** Zone and language of channels we have seen (from the outbox and from replies). */
  const known = new Map<string, { timeZone: string; locale: Locale }>()
  const remember = (c: ChannelInfo) => known.set(c.externalId, { timeZone: c.timeZone, locale: c.locale })
  const port = new TelegramChatPort({ telegram, limiter, logger, maxWaitMs: opts.maxWaitMs, remember })

  const me = await telegram.getMe().catch((err) => {
    throw new Error(`Telegram did not accept the bot token (getMe): ${mapTelegramError(err).message}`)
  })
  bot.botInfo = me
  await registerCommands()

  // ---- work tracking: handlers return at once, their work is awaited on stop ----
  const inflight = new Set<Promise<void>>()
  let stopping = false
  const detach = (what: string, work: () => Promise<void>) => {
    const p = work()
      .catch((err) => logger.error(`telegram ${what} failed`, { err }))
      .finally(() => inflight.delete(p))
    inflight.add(p)
  }

  // ---- who is an operator: chat administrators and the creator (cached briefly) ----
  const adminCache = new Map<string, { at: number; value: boolean }>()
  const cacheMs = opts.operatorCacheMs ?? 60_000
  async function isChatAdmin(chat: { id: number; type: string }, userId: number): Promise<boolean> {
    if (chat.type === 'private') return true // one's own chat with the bot
    const key = `${chat.id}:${userId}`
    const hit = adminCache.get(key)
    if (hit && Date.now() - hit.at < cacheMs) return hit.value
    try {
      const m = await telegram.getChatMember(chat.id, userId)
      const value = m.status === 'creator' || m.status === 'administrator'
      adminCache.set(key, { at: Date.now(), value })
      return value
    } catch (err) {
      logger.warn('getChatMember failed; treating the member as not an administrator', { err: mapTelegramError(err) })
      return false
    }
  }

  function refFor(chat: Message['chat'], msg: { message_thread_id?: number; is_topic_message?: boolean } | undefined, from: User): ChannelRef {
    const title = 'title' in chat ? chat.title : displayName(from)
    return {
      platform: 'telegram',
      externalId: channelExternalId(chat.id, topicOf(msg)),
      title,
      localeHint: from.language_code,
      uploadLimitBytes: UPLOAD_LIMIT_BYTES,
    }
  }
  async function actorFor(chat: Message['chat'], from: User): Promise<Actor> {
    return { platform: 'telegram', userId: String(from.id), displayName: displayName(from), platformOperator: await isChatAdmin(chat, from.id) }
  }
  const viewOf = (externalId: string, from?: User) =>
    known.get(externalId) ?? { timeZone: opts.config.defaults.timeZone, locale: from?.language_code ? localeOf(from.language_code) : opts.config.defaults.locale }

  // ---- sending replies (not through the outbox: they answer a person now) ----
  /** Calls Telegram; a 429 is waited out (twice at most), since a reply has no outbox to retry it. */
  async function call<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn()
      } catch (err) {
        const e = mapTelegramError(err)
        if (e instanceof ChatRetryAfter && attempt < 2) {
          await sleep(e.retryAfterMs)
          continue
        }
        throw e
      }
    }
  }

  interface ReplyTarget extends TelegramTarget {
    replyTo?: number
  }
  const replyExtra = (t: ReplyTarget) => (t.replyTo ? { reply_parameters: { message_id: t.replyTo, allow_sending_without_reply: true } } : {})

  async function sendNeutral(t: ReplyTarget, msg: NeutralMessage, view: { timeZone: string; locale: Locale }, kb?: InlineKeyboard): Promise<number> {
    const r = renderMessage(msg, view)
    const keyboardToUse = kb ?? r.keyboard
    let last = 0
    for (let i = 0; i < r.parts.length; i++) {
      const isLast = i === r.parts.length - 1
      last = await call(() => port.send(t, r.parts[i]!, isLast ? keyboardToUse : undefined, () => messageText(msg), i === 0 ? replyExtra(t) : {}, false))
    }
    return last
  }

  async function sendFiles(t: ReplyTarget, reply: Reply, view: { timeZone: string; locale: Locale }): Promise<void> {
    for (const f of reply.files ?? []) {
      try {
        if (f.sizeBytes > UPLOAD_LIMIT_BYTES) {
          const locale = view.locale
          await sendNeutral(t, message({ kind: 'error', tone: 'danger', title: L(locale, `${f.filename} is too large for Telegram (over 50 MB). Narrow the filters and try again.`, `${f.filename} 超过 Telegram 的 50 MB 上限。请缩小筛选范围后重试。`) }), view)
          continue
        }
        await port.slot(t.chatId, false)
        await call(() =>
          telegram.sendDocument(
            t.chatId,
            { source: createReadStream(f.path), filename: f.filename },
            {
              ...(t.threadId ? { message_thread_id: t.threadId } : {}),
              ...(f.caption ? { caption: escapeHtml(f.caption.slice(0, 1000)), parse_mode: 'HTML' as const } : {}),
              ...replyExtra(t),
            },
          ),
        )
      } finally {
        await rm(f.path, { force: true }).catch(() => {})
      }
    }
  }

  /** Shows a core reply: its message (choices as an inline keyboard), then its files. */
  async function showReply(t: ReplyTarget, externalId: string, reply: Reply, from: User): Promise<void> {
    if (reply.channel) remember(reply.channel)
    const view = viewOf(externalId, from)
    const kb: InlineKeyboard | undefined = reply.choices?.options.length
      ? { inline_keyboard: reply.choices.options.map((c) => [{ text: c.label.slice(0, 64), callback_data: encodeAction(c.action) }]) }
      : undefined
    const msg = reply.choices && !reply.message.title ? { ...reply.message, title: reply.choices.prompt } : reply.message
    await sendNeutral(t, msg, view, kb)
    await sendFiles(t, reply, view)
  }

  async function sendError(t: ReplyTarget, text: string): Promise<void> {
    await sendNeutral(t, message({ kind: 'error', tone: 'danger', title: text }), { timeZone: 'UTC', locale: 'en' }).catch((err) =>
      logger.warn('could not tell the user about an error', { err }),
    )
  }

  /** Runs a command with progress shown in a status message when it takes a while. */
  async function runWithProgress(t: ReplyTarget, ref: ChannelRef, actor: Actor, cmd: Command, locale: Locale, statusMessageId?: number): Promise<Reply> {
    if (!assistant.handleWithProgress) return assistant.handle(ref, actor, cmd)
    let statusId = statusMessageId
    let lastShown = 0
    let pending: Promise<unknown> = Promise.resolve()
    const show = (text: string) => {
      pending = pending.then(async () => {
        try {
          if (statusId) await telegram.editMessageText(t.chatId, statusId, undefined, text)
          else statusId = (await port.send(t, escapeHtml(text), undefined, () => text, replyExtra(t), false))
        } catch (err) {
          if (!isNotModified(err)) logger.debug('progress update failed', { err })
        }
      })
    }
    const started = Date.now()
    const { afterMs, everyMs } = opts.progress ?? { afterMs: 1500, everyMs: 2500 }
    const reply = await assistant.handleWithProgress(ref, actor, cmd, (done, total) => {
      const now = Date.now()
      if (now - started < afterMs || now - lastShown < everyMs) return
      lastShown = now
      show(L(locale, `⏳ Exporting… ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`, `⏳ 正在导出… ${done.toLocaleString('en')} / ${total.toLocaleString('en')}`))
    })
    await pending
    // a status message of our own has done its job once the answer is there
    if (statusId && statusId !== statusMessageId) await telegram.deleteMessage(t.chatId, statusId).catch(() => {})
    return reply
  }

  // ---- commands ----
  async function onText(ctx: Context<Update.MessageUpdate<Message.TextMessage>>): Promise<void> {
    const msg = ctx.message
    const from = msg.from
    if (!from || from.is_bot) return
    const cmdEntity = msg.entities?.find((e) => e.type === 'bot_command' && e.offset === 0)
    if (!cmdEntity) return // plain chat: not for us
    const mention = /@(\w+)$/.exec(msg.text.slice(0, cmdEntity.length))
    if (mention && mention[1]!.toLowerCase() !== me.username.toLowerCase()) return // another bot's command
    const ref = refFor(msg.chat, msg, from)
    const target: ReplyTarget = { chatId: msg.chat.id, threadId: topicOf(msg), replyTo: msg.message_id }
    const view = viewOf(ref.externalId, from)
    try {
      const r = msg.reply_to_message
      const replied = r && r.from && !('forum_topic_created' in r) && r.message_id !== msg.message_thread_id ? r.from : undefined
      const start = /^\/start(?:@\w+)?\s+(\S+)/.exec(msg.text)
      // a bare /stock in answer to a CSV or Excel file someone sent: that file is the stock file
      // (/stock with more words is the usual command, whatever message it answers)
      const stockOf = r && 'document' in r && stockFileKind(r.document.file_name ?? '') && /^\/stock(?:@\w+)?\s*$/.test(msg.text) ? r.document : null
      const parsed: ReturnType<typeof parseTextCommand> = start
        ? { name: 'link', code: start[1]! }
        : stockOf
          ? stockFileCommand(stockOf, undefined)
          : parseTextCommand(msg.text, { replyTo: replied ? { userId: String(replied.id), displayName: displayName(replied) } : undefined })
      if ('error' in parsed) return await sendError(target, view.locale === 'zh-CN' ? parsed.zh : parsed.error)
      if (parsed.name === 'export' && Object.keys(parsed.args).length === 0) {
        const v = pickerStart(view.locale)
        await call(() => port.send(target, v.html, v.keyboard, () => v.html, replyExtra(target), false))
        return
      }
      const actor = await actorFor(msg.chat, from)
      const reply = parsed.name === 'export' ? await runWithProgress(target, ref, actor, parsed, view.locale) : await assistant.handle(ref, actor, parsed)
      await showReply(target, ref.externalId, reply, from)
    } catch (err) {
      logger.error('telegram command failed', { err, command: msg.text.split(/\s/, 1)[0] })
      await sendError(target, L(view.locale, 'Something went wrong with that command. Please try again in a moment.', '处理该命令时出错,请稍后重试。'))
    }
  }

  /** /stock with a file sent in the chat: the core fetches it (getFile, then the download link) once the member may change stock. */
  function stockFileCommand(doc: Message.DocumentMessage['document'], shop: string | undefined): Command {
    const file: IncomingFile = {
      filename: doc.file_name ?? 'file',
      sizeBytes: doc.file_size,
      read: async () => downloadCapped(await telegram.getFileLink(doc.file_id), STOCK_FILE_MAX_BYTES),
    }
    return { name: 'stock', file, shop: shop?.trim() || undefined }
  }

  /** A file sent with a command as its caption: `/stock [shop]` imports it as a stock file; other files are not for us. */
  async function onDocument(ctx: Context<Update.MessageUpdate<Message.DocumentMessage>>): Promise<void> {
    const msg = ctx.message
    const from = msg.from
    if (!from || from.is_bot) return
    const caption = msg.caption ?? ''
    const cmdEntity = msg.caption_entities?.find((e) => e.type === 'bot_command' && e.offset === 0)
    if (!cmdEntity) return // a file shared in the chat: not for us
    const name = caption.slice(0, cmdEntity.length)
    const mention = /@(\w+)$/.exec(name)
    if (mention && mention[1]!.toLowerCase() !== me.username.toLowerCase()) return // another bot's command
    const ref = refFor(msg.chat, msg, from)
    const target: ReplyTarget = { chatId: msg.chat.id, threadId: topicOf(msg), replyTo: msg.message_id }
    const view = viewOf(ref.externalId, from)
    try {
      if (!/^\/stock(?:@\w+)?$/.test(name))
        return await sendError(target, L(view.locale, 'Only /stock takes a file: send a stock file (CSV or Excel, seller_sku,quantity) with the caption /stock.', '只有 /stock 可以带文件:发送库存文件(CSV 或 Excel,seller_sku,quantity)时把说明写成 /stock。'))
      const actor = await actorFor(msg.chat, from)
      const reply = await assistant.handle(ref, actor, stockFileCommand(msg.document, caption.slice(cmdEntity.length)))
      await showReply(target, ref.externalId, reply, from)
    } catch (err) {
      logger.error('telegram stock file failed', { err })
      await sendError(target, L(view.locale, 'Something went wrong with that file. Please try again in a moment.', '处理该文件时出错,请稍后重试。'))
    }
  }

  // ---- button presses ----
  async function onPress(ctx: Context<Update.CallbackQueryUpdate>): Promise<void> {
    const cq = ctx.callbackQuery as CallbackQuery.DataQuery
    const from = cq.from
    // answer at once: the button stops spinning whatever happens next
    await telegram.answerCbQuery(cq.id).catch((err) => logger.debug('answerCallbackQuery failed', { err }))
    const msg = cq.message
    if (!msg || !('chat' in msg) || typeof cq.data !== 'string') return
    const ref = refFor(msg.chat, msg as Message, from)
    const threadId = topicOf(msg as Message)
    const target: ReplyTarget = { chatId: msg.chat.id, threadId, replyTo: msg.message_id }
    const view = viewOf(ref.externalId, from)
    const who = displayName(from)
    try {
      if (cq.data.startsWith(PICKER_PREFIX)) return await onPicker(cq.data, msg.message_id, msg.chat, target, ref, from, view)
      const action = decodeAction(cq.data)
      if (!action) return await sendError(target, `${who}: ${L(view.locale, 'this button is no longer valid.', '此按钮已失效。')}`)
      const actor = await actorFor(msg.chat, from)
      const reply = await assistant.handle(ref, actor, { name: 'action', action })
      if (reply.channel) remember(reply.channel)
      if (!reply.ok) {
        // refused or failed: the message stays as it is; the presser is told why
        await sendNeutral(target, { ...reply.message, title: `${who}: ${reply.message.title}` }, viewOf(ref.externalId, from))
        return
      }
      await showReply(target, ref.externalId, reply, from)
    } catch (err) {
      logger.error('telegram button press failed', { err, data: cq.data })
      await sendError(target, `${who}: ${L(view.locale, 'that did not work. Please try again in a moment.', '操作失败,请稍后重试。')}`)
    }
  }

  async function onPicker(data: string, messageId: number, chat: Message['chat'], target: ReplyTarget, ref: ChannelRef, from: User, view: { timeZone: string; locale: Locale }): Promise<void> {
    const step = pickerPress(data, view.locale, view.timeZone, new Date())
    const edit = async (html: string, kb?: InlineKeyboard) => {
      await call(() => telegram.editMessageText(target.chatId, messageId, undefined, html, { parse_mode: 'HTML', ...(kb ? { reply_markup: kb } : {}) })).catch((err) => {
        if (!isNotModified(err)) throw err
      })
    }
    if (step.kind === 'invalid') return sendError(target, L(view.locale, 'This picker button is no longer valid. Send /export again.', '此选择按钮已失效,请重新发送 /export。'))
    if (step.kind === 'cancelled') return edit(step.html)
    if (step.kind === 'view') return edit(step.view.html, step.view.keyboard)
    await edit(`<b>${escapeHtml(L(view.locale, 'Export orders', '导出订单'))}</b>\n${escapeHtml(step.summary)}\n\n${escapeHtml(L(view.locale, '⏳ Working on it…', '⏳ 正在处理…'))}`)
    const actor = await actorFor(chat, from)
    const reply = await runWithProgress(target, ref, actor, { name: 'export', args: step.args }, view.locale, messageId)
    await edit(`<b>${escapeHtml(L(view.locale, 'Export orders', '导出订单'))}</b>\n${escapeHtml(step.summary)}`)
    await showReply(target, ref.externalId, reply, from)
  }

  // added to a group: say what the bot does and how to link the chat
  // an update delivered twice (a webhook retried after a lost answer) is handled once
  const seenUpdates = new Set<number>()
  bot.use((ctx, next) => {
    const id = ctx.update.update_id
    if (seenUpdates.has(id)) return
    seenUpdates.add(id)
    if (seenUpdates.size > 2000) seenUpdates.delete(seenUpdates.values().next().value!)
    return next()
  })

  bot.on('my_chat_member', (ctx) =>
    detach('welcome', async () => {
      const u = ctx.myChatMember
      const wasOut = u.old_chat_member.status === 'left' || u.old_chat_member.status === 'kicked'
      const isIn = u.new_chat_member.status === 'member' || u.new_chat_member.status === 'administrator'
      if (!wasOut || !isIn || u.chat.type === 'private' || u.chat.type === 'channel') return
      const locale = localeOf(u.from.language_code)
      const text = L(
        locale,
        'Hello! I post new orders, buyer cancellation requests (with Accept / Reject) and deadline warnings for your TikTok Shop here. To start, send /link CODE with the one-time code from the shop owner. /help lists everything.',
        '你好!我会在这里发送 TikTok Shop 的新订单、买家取消申请(可同意/拒绝)和发货时限提醒。请先发送 /link 代码(由店铺负责人生成的一次性代码)关联店铺。发送 /help 查看全部命令。',
      )
      await sendNeutral({ chatId: u.chat.id }, message({ kind: 'welcome', title: text }), { timeZone: 'UTC', locale })
    }),
  )
  bot.on('text', (ctx) => detach('command', () => onText(ctx as Context<Update.MessageUpdate<Message.TextMessage>>)))
  bot.on('document', (ctx) => detach('stock file', () => onDocument(ctx as Context<Update.MessageUpdate<Message.DocumentMessage>>)))
  bot.on('callback_query', (ctx) => detach('button press', () => onPress(ctx)))
  bot.catch((err, ctx) => logger.error('telegram update failed', { err, updateId: ctx.update.update_id }))

  // ---- receiving updates ----
  let mode: TelegramBot['mode'] = 'polling'
  let server: Server | undefined
  let webhookAddress: TelegramBot['webhookAddress']
  let polling: Promise<void> | undefined
  if (tgConfig.webhookUrl) {
    mode = 'webhook'
    const url = new URL(tgConfig.webhookUrl)
    const path = url.pathname && url.pathname !== '/' ? url.pathname : '/telegram/webhook'
    if (path !== url.pathname) url.pathname = path
    const secretToken = tgConfig.webhookSecret ?? randomBytes(24).toString('hex')
    registerSecret(secretToken)
    const handler = bot.webhookCallback(path, { secretToken })
    if (opts.mountWebhook) opts.mountWebhook(path, (req, res) => handler(req, res))
    else {
      const listen = opts.webhookListen ?? { host: opts.config.http.host, port: Number(url.port) || 8443 }
      server = createServer((req, res) => void handler(req, res))
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject)
        server!.listen(listen.port, listen.host, () => resolve())
      })
      webhookAddress = { host: listen.host, port: (server.address() as AddressInfo).port, path }
    }
    await telegram.setWebhook(url.toString(), { secret_token: secretToken, allowed_updates: [...ALLOWED_UPDATES] })
    logger.info('telegram bot started (webhook)', { username: me.username, path })
  } else {
    polling = (async () => {
      while (!stopping) {
        try {
          await bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] })
          return // stopped
        } catch (err) {
          if (stopping) return
          const e = err as { code?: number; on?: { method?: string } }
          if (e.code === 404 && e.on?.method === 'deleteWebhook') {
            // a Bot API server without deleteWebhook (some self-hosted stand-ins): poll without it
            logger.warn('the Bot API server has no deleteWebhook; polling without it')
            await (bot as unknown as { startPolling(u: readonly string[]): Promise<void> }).startPolling([...ALLOWED_UPDATES])
            return
          }
          logger.error('telegram polling stopped with an error; restarting in 5 s', { err: mapTelegramError(err) })
          await sleep(5000)
        }
      }
    })()
    logger.info('telegram bot started (long polling)', { username: me.username })
  }

  async function registerCommands(): Promise<void> {
    const en = COMMAND_DOCS.map((c) => ({ command: c.name, description: c.en }))
    const zh = COMMAND_DOCS.map((c) => ({ command: c.name, description: c.zh }))
    try {
      await telegram.setMyCommands(en)
      await telegram.setMyCommands(en, { language_code: 'en' })
      await telegram.setMyCommands(zh, { language_code: 'zh' })
    } catch (err) {
      logger.warn('setMyCommands failed; commands still work when typed', { err: mapTelegramError(err) })
    }
  }

  return {
    port,
    username: me.username,
    mode,
    webhookAddress,
    async stop() {
      stopping = true
      try {
        bot.stop('shutdown')
      } catch {
        // not running (webhook mode or already stopped)
      }
      if (server) {
        server.closeAllConnections()
        await new Promise<void>((r) => server!.close(() => r()))
      }
      await Promise.race([polling, sleep(5000)])
      await Promise.race([Promise.allSettled([...inflight]), sleep(10_000)])
    },
  }
}
