/**
 * A local stand-in for the Telegram Bot API on node:http, for end-to-end tests of the real telegraf bot.
 * `POST|GET /bot<token>/<method>` with JSON, urlencoded or multipart bodies; getUpdates is a real
 * long poll (offset / limit / timeout); setWebhook switches to pushing updates with the secret header.
 * Errors come in the Bot API shape. Test helpers inject user messages and button presses and read
 * back what the bot sent. HTML in sent messages is parsed as strictly as Telegram does
 * (unknown tags, a bare `<` or `&` → 400 "can't parse entities").
 */
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TgUser { id: number; is_bot: boolean; first_name: string; username?: string; language_code?: string }
export interface TgChat { id: number; type: 'private' | 'group' | 'supergroup'; title?: string; is_forum?: boolean }
export type MemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked'
export interface StoredMessage {
  message_id: number
  chat: TgChat
  from: TgUser
  date: number
  message_thread_id?: number
  is_topic_message?: boolean
  /** the text as a reader sees it (entities parsed out) */
  text?: string
  /** the raw text the bot sent (HTML source) */
  html?: string
  parse_mode?: string
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string }[][] }
  /** set when the bot deleted it (kept so tests can see it existed) */
  deleted?: boolean
  document?: { file_id: string; file_name: string; mime_type?: string; file_size: number }
  bytes?: Buffer
  caption?: string
  edits: number
  /** performance.now() when the stand-in stored it (for latency figures) */
  storedAt: number
}
interface Failure { code: 429 | 500 | 502; retryAfter: number; remaining: number; until: number; methods?: string[] }

const ALLOWED_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'code', 'pre', 'a', 'tg-spoiler', 'span', 'blockquote', 'tg-emoji'])
const JSON_FIELDS = new Set(['reply_markup', 'commands', 'scope', 'allowed_updates', 'reply_parameters', 'link_preview_options', 'entities'])

class ApiError extends Error {
  constructor(readonly code: number, readonly description: string, readonly retryAfter?: number) {
    super(description)
  }
}
const bad = (d: string) => new ApiError(400, `Bad Request: ${d}`)

/** Telegram's HTML → the plain text a reader sees; throws a 400 on what Telegram refuses. */
export function parseTelegramHtml(html: string): string {
  let out = ''
  const stack: string[] = []
  for (let i = 0; i < html.length; ) {
    const ch = html[i]!
    if (ch === '<') {
      const m = /^<(\/?)([a-z-]+)((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*>/i.exec(html.slice(i))
      if (!m) throw bad(`can't parse entities: unexpected '<' at byte offset ${i}`)
      const tag = m[2]!.toLowerCase()
      if (!ALLOWED_TAGS.has(tag)) throw bad(`can't parse entities: unsupported start tag "${tag}" at byte offset ${i}`)
      if (m[1]) {
        if (stack.pop() !== tag) throw bad(`can't parse entities: unmatched end tag at byte offset ${i}, expected "</${tag}>"`)
      } else stack.push(tag)
      i += m[0].length
    } else if (ch === '&') {
      const m = /^&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-f]{1,6});/i.exec(html.slice(i))
      if (!m) throw bad(`can't parse entities: character '&' is reserved and must be escaped at byte offset ${i}`)
      const e = m[1]!.toLowerCase()
      out += e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : Number(e.slice(1)))
      i += m[0].length
    } else if (ch === '>') {
      throw bad(`can't parse entities: character '>' is reserved and must be escaped at byte offset ${i}`)
    } else {
      out += ch
      i++
    }
  }
  if (stack.length) throw bad(`can't parse entities: can't find end tag corresponding to start tag "${stack.at(-1)}"`)
  return out
}

export class FakeTelegram {
  readonly token: string
  readonly me: TgUser = { id: 7000001, is_bot: true, first_name: 'Shop Helper', username: 'ShopHelperBot' }
  apiRoot = ''
  /** every API call, in order */
  readonly calls: { method: string; params: Record<string, any> }[] = []
  readonly callbackAnswers: { callback_query_id: string; text?: string; show_alert?: boolean }[] = []
  /** setMyCommands per language_code ('' = default) */
  readonly commands = new Map<string, { command: string; description: string }[]>()
  webhook: { url: string; secret?: string } | null = null
  /** methods to answer with 404, as a Bot API server that lacks them would */
  readonly missing = new Set<string>()
  private server!: Server
  private chats = new Map<number, { chat: TgChat; members: Map<number, MemberStatus>; botGone?: boolean; messages: StoredMessage[]; nextId: number }>()
  private updates: { update_id: number; [k: string]: unknown }[] = []
  private nextUpdateId = 1
  private confirmed = 0
  private waiters = new Set<() => void>()
  private failures: Failure[] = []
  private pushing = false
  private nextCallback = 1
  private nextFile = 1

  private constructor(token: string) {
    this.token = token
  }

  static async start(token = '123456:TEST-token_abc'): Promise<FakeTelegram> {
    const f = new FakeTelegram(token)
    f.server = createServer((req, res) => void f.route(req, res))
    f.server.listen(0, '127.0.0.1')
    await once(f.server, 'listening')
    f.apiRoot = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`
    return f
  }

  async stop(): Promise<void> {
    for (const w of this.waiters) w()
    this.server.closeAllConnections()
    await new Promise<void>((r) => this.server.close(() => r()))
  }

  // ---------- test helpers ----------
  addChat(chat: Partial<TgChat> & { id: number }): TgChat {
    const c: TgChat = { type: 'supergroup', title: `Group ${chat.id}`, ...chat }
    this.chats.set(c.id, { chat: c, members: new Map(), messages: [], nextId: 1 })
    return c
  }
  setMember(chatId: number, userId: number, status: MemberStatus): void {
    this.chat(chatId).members.set(userId, status)
  }
  removeBot(chatId: number): void {
    this.chat(chatId).botGone = true
  }
  /** Answer the next `count` calls (of `methods`, or any) with 429 / 5xx, or all of them until `forMs` passed. */
  fail(opts: { code?: 429 | 500 | 502; retryAfter?: number; count?: number; forMs?: number; methods?: string[] }): void {
    this.failures.push({
      code: opts.code ?? 429,
      retryAfter: opts.retryAfter ?? 1,
      remaining: opts.count ?? (opts.forMs ? Infinity : 1),
      until: opts.forMs ? Date.now() + opts.forMs : Infinity,
      methods: opts.methods,
    })
  }
  /** A user writes in a chat (in a forum topic with `threadId`); returns the stored message. */
  userSays(chatId: number, from: TgUser, text: string, opts: { threadId?: number; replyTo?: StoredMessage } = {}): StoredMessage {
    return this.fromUser(chatId, from, { text, message_thread_id: opts.threadId }, 'entities', text, opts.replyTo)
  }
  /**
   * A user sends a file (a document) in a chat, with an optional caption (a command there is marked
   * as one, as in a text); returns the stored message. Its bytes are then served by getFile and the
   * file download path.
   */
  userSendsFile(chatId: number, from: TgUser, file: { name: string; bytes: Uint8Array | string; mime?: string }, caption?: string, opts: { replyTo?: StoredMessage } = {}): StoredMessage {
    const bytes = Buffer.from(file.bytes)
    const document = { file_id: `BQACAgI${this.nextFile++}`, file_name: file.name, mime_type: file.mime, file_size: bytes.length }
    return this.fromUser(chatId, from, { caption, bytes, document }, 'caption_entities', caption ?? '', opts.replyTo)
  }
  /** Stores a user's message and delivers it as an update, a leading /command marked in `entitiesKey`. */
  private fromUser(chatId: number, from: TgUser, m: Partial<StoredMessage>, entitiesKey: 'entities' | 'caption_entities', text: string, replyTo?: StoredMessage): StoredMessage {
    const c = this.chat(chatId)
    if (!c.members.has(from.id)) c.members.set(from.id, 'member')
    const msg = this.store(chatId, { ...m, from })
    const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text)
    this.enqueue({
      message: {
        ...this.wire(msg),
        ...(replyTo ? { reply_to_message: this.wire(replyTo) } : {}),
        ...(cmd ? { [entitiesKey]: [{ type: 'bot_command', offset: 0, length: cmd[0].length }] } : {}),
      },
    })
    return msg
  }
  /** Downloads of these file ids are answered 404 (a link that expired). */
  readonly goneFiles = new Set<string>()
  /** Someone adds the bot to a group (a my_chat_member update). */
  addBotToChat(chatId: number, by: TgUser): void {
    const c = this.chat(chatId)
    c.botGone = false
    this.enqueue({
      my_chat_member: {
        chat: c.chat,
        from: by,
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { status: 'left', user: this.me },
        new_chat_member: { status: 'member', user: this.me },
      },
    })
  }
  /** A user presses an inline button of a bot message; returns the callback query id. */
  press(chatId: number, messageId: number, from: TgUser, data: string): string {
    const msg = this.message(chatId, messageId)
    const id = `cb${this.nextCallback++}`
    this.enqueue({ callback_query: { id, from, message: this.wire(msg), chat_instance: `ci${chatId}`, data } })
    return id
  }
  /** The button of a message whose label contains `label`. */
  button(msg: StoredMessage, label: string | RegExp): string {
    for (const row of msg.reply_markup?.inline_keyboard ?? [])
      for (const b of row) if (typeof label === 'string' ? b.text.includes(label) : label.test(b.text)) return b.callback_data!
    throw new Error(`no button ${label} on message ${msg.message_id}: ${JSON.stringify(msg.reply_markup)}`)
  }
  /** Messages the bot sent in a chat (optionally one forum topic). */
  sent(chatId: number, threadId?: number): StoredMessage[] {
    return this.chat(chatId).messages.filter((m) => m.from.id === this.me.id && (threadId === undefined || m.message_thread_id === threadId))
  }
  message(chatId: number, messageId: number): StoredMessage {
    const m = this.chat(chatId).messages.find((x) => x.message_id === messageId)
    if (!m) throw new Error(`no message ${messageId} in chat ${chatId}`)
    return m
  }
  /** Waits until `check` returns a value (not undefined/false), polling every 20 ms. */
  async waitFor<T>(check: () => T | undefined | false | null, timeoutMs = 4000, what = 'condition'): Promise<T> {
    const end = Date.now() + timeoutMs
    for (;;) {
      const v = check()
      if (v !== undefined && v !== false && v !== null) return v as T
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  /** Waits for the next bot message in a chat after `after` messages were there. */
  async nextSent(chatId: number, after: number, timeoutMs = 4000, threadId?: number): Promise<StoredMessage> {
    return this.waitFor(() => this.sent(chatId, threadId)[after], timeoutMs, `bot message #${after + 1} in chat ${chatId}`)
  }
  pendingUpdates(): number {
    return this.updates.filter((u) => u.update_id >= this.confirmed).length
  }

  // ---------- HTTP ----------
  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x')
    const file = /^\/file\/bot([^/]+)\/documents\/([A-Za-z0-9]+)\.[a-z0-9]+$/.exec(url.pathname)
    if (file) return this.download(file[1]!, file[2]!, res)
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname)
    let params: Record<string, any> = {}
    try {
      if (!m) throw new ApiError(404, 'Not Found')
      if (m[1] !== this.token) throw new ApiError(401, 'Unauthorized')
      params = await readParams(req, url)
      const method = m[2]!
      this.calls.push({ method, params })
      const f = this.failures.find((x) => x.remaining > 0 && Date.now() < x.until && (!x.methods || x.methods.includes(method)))
      if (f) {
        f.remaining--
        if (f.code === 429) throw new ApiError(429, `Too Many Requests: retry after ${f.retryAfter}`, f.retryAfter)
        throw new ApiError(f.code, f.code === 500 ? 'Internal Server Error' : 'Bad Gateway')
      }
      const result = await this.call(method, params, req)
      send(res, 200, { ok: true, result })
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, `Internal Server Error: ${(e as Error).message}`)
      send(res, err.code, {
        ok: false,
        error_code: err.code,
        description: err.description,
        ...(err.retryAfter ? { parameters: { retry_after: err.retryAfter } } : {}),
      })
    }
  }

  private async call(method: string, p: Record<string, any>, req: IncomingMessage): Promise<unknown> {
    if (this.missing.has(method)) throw new ApiError(404, 'Not Found')
    switch (method) {
      case 'getMe':
        return this.me
      case 'getUpdates':
        return this.getUpdates(p, req)
      case 'setWebhook':
        if (!p.url) throw bad('bad webhook: An HTTPS URL must be provided for webhook')
        this.webhook = { url: String(p.url), secret: p.secret_token ? String(p.secret_token) : undefined }
        if (truthy(p.drop_pending_updates)) this.confirmed = this.nextUpdateId
        void this.push()
        return true
      case 'deleteWebhook':
        this.webhook = null
        if (truthy(p.drop_pending_updates)) this.confirmed = this.nextUpdateId
        return true
      case 'getWebhookInfo':
        return { url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.pendingUpdates() }
      case 'setMyCommands': {
        const list = p.commands as { command: string; description: string }[]
        if (!Array.isArray(list) || list.length > 100) throw bad('commands must be an array of at most 100 commands')
        for (const c of list) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw bad('BOT_COMMAND_INVALID')
          if (!c.description || c.description.length > 256) throw bad('BOT_COMMAND_DESCRIPTION_INVALID')
        }
        this.commands.set(String(p.language_code ?? ''), list)
        return true
      }
      case 'sendMessage': {
        const c = this.writable(p.chat_id)
        const text = String(p.text ?? '')
        const plain = p.parse_mode === 'HTML' ? parseTelegramHtml(text) : text
        if (!plain.trim()) throw bad('message text is empty')
        if (plain.length > 4096) throw bad('message is too long')
        return this.wire(this.store(c.chat.id, { from: this.me, text: plain, html: text, parse_mode: p.parse_mode, message_thread_id: num(p.message_thread_id), reply_markup: markup(p.reply_markup) }))
      }
      case 'editMessageText':
      case 'editMessageReplyMarkup': {
        this.writable(p.chat_id)
        const msg = this.chats.get(Number(p.chat_id))!.messages.find((x) => x.message_id === Number(p.message_id))
        if (!msg || msg.from.id !== this.me.id) throw bad('message to edit not found')
        const text = method === 'editMessageText' ? String(p.text ?? '') : msg.html ?? msg.text ?? ''
        const plain = method === 'editMessageText' && p.parse_mode === 'HTML' ? parseTelegramHtml(text) : method === 'editMessageText' ? text : msg.text ?? ''
        if (!plain.trim()) throw bad('message text is empty')
        if (plain.length > 4096) throw bad('MESSAGE_TOO_LONG')
        const rm = markup(p.reply_markup)
        if (text === (msg.html ?? msg.text) && JSON.stringify(rm ?? null) === JSON.stringify(msg.reply_markup ?? null))
          throw bad('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message')
        Object.assign(msg, { text: plain, html: text, reply_markup: rm, edits: msg.edits + 1 })
        return this.wire(msg)
      }
      case 'deleteMessage': {
        this.writable(p.chat_id)
        const msg = this.chats.get(Number(p.chat_id))!.messages.find((x) => x.message_id === Number(p.message_id) && !x.deleted)
        if (!msg) throw bad('message to delete not found')
        msg.deleted = true
        return true
      }
      case 'answerCallbackQuery':
        if (!/^cb\d+$/.test(String(p.callback_query_id))) throw bad('query is too old and response timeout expired or query ID is invalid')
        this.callbackAnswers.push({ callback_query_id: String(p.callback_query_id), text: p.text, show_alert: truthy(p.show_alert) })
        return true
      case 'sendDocument': {
        const c = this.writable(p.chat_id)
        const doc = p.document
        if (!(doc instanceof File)) throw bad('there is no document in the request')
        if (doc.size > 50 * 1024 * 1024) throw new ApiError(413, 'Request Entity Too Large')
        const bytes = Buffer.from(await doc.arrayBuffer())
        const caption = p.caption === undefined ? undefined : p.parse_mode === 'HTML' ? parseTelegramHtml(String(p.caption)) : String(p.caption)
        if (caption && caption.length > 1024) throw bad('message caption is too long')
        return this.wire(this.store(c.chat.id, {
          from: this.me, caption, bytes, message_thread_id: num(p.message_thread_id), reply_markup: markup(p.reply_markup),
          document: { file_id: `file${Date.now()}`, file_name: doc.name, mime_type: doc.type || undefined, file_size: bytes.length },
        }))
      }
      case 'getFile': {
        const doc = this.document(String(p.file_id))
        if (!doc) throw bad('invalid file_id')
        if (doc.document!.file_size > 20 * 1024 * 1024) throw bad('file is too big')
        const ext = /\.([a-z0-9]+)$/i.exec(doc.document!.file_name)?.[1]?.toLowerCase() ?? 'bin'
        return { file_id: doc.document!.file_id, file_unique_id: `u${doc.document!.file_id}`, file_size: doc.document!.file_size, file_path: `documents/${doc.document!.file_id}.${ext}` }
      }
      case 'getChatMember': {
        const c = this.writable(p.chat_id)
        const status = c.members.get(Number(p.user_id)) ?? 'left'
        return { status, user: { id: Number(p.user_id), is_bot: false, first_name: `User ${p.user_id}` } }
      }
      case 'getChatAdministrators': {
        const c = this.writable(p.chat_id)
        return [...c.members].filter(([, s]) => s === 'creator' || s === 'administrator').map(([id, status]) => ({ status, user: { id, is_bot: false, first_name: `User ${id}` } }))
      }
      case 'getChat':
        return this.writable(p.chat_id).chat
      default:
        throw new ApiError(404, 'Not Found: method not found')
    }
  }

  private async getUpdates(p: Record<string, any>, req: IncomingMessage): Promise<unknown[]> {
    if (this.webhook) throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
    if (p.offset !== undefined && Number(p.offset) > 0) this.confirmed = Math.max(this.confirmed, Number(p.offset))
    const limit = Math.min(Math.max(Number(p.limit ?? 100) || 100, 1), 100)
    const end = Date.now() + Math.min(Number(p.timeout ?? 0) || 0, 50) * 1000
    let closed = false
    let wake: (() => void) | undefined
    const onClose = () => {
      closed = true
      wake?.()
    }
    req.socket.once('close', onClose)
    try {
      for (;;) {
        const ready = this.updates.filter((u) => u.update_id >= this.confirmed).slice(0, limit)
        if (ready.length || Date.now() >= end || closed || !this.server.listening) return ready
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(t)
            this.waiters.delete(done)
            wake = undefined
            resolve()
          }
          const t = setTimeout(done, Math.max(end - Date.now(), 0))
          this.waiters.add(done)
          wake = done
        })
      }
    } finally {
      req.socket.off('close', onClose)
    }
  }

  private enqueue(body: Record<string, unknown>): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...body })
    const ws = [...this.waiters]
    this.waiters.clear()
    for (const w of ws) w()
    void this.push()
  }

  /** Webhook mode: POST pending updates one by one, with the secret header; retried until 2xx. */
  private async push(): Promise<void> {
    if (this.pushing) return
    this.pushing = true
    try {
      while (this.webhook && this.server.listening) {
        const u = this.updates.find((x) => x.update_id >= this.confirmed)
        if (!u) break
        const hook = this.webhook
        const ok = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(hook.secret ? { 'x-telegram-bot-api-secret-token': hook.secret } : {}) },
          body: JSON.stringify(u),
        }).then((r) => r.ok, () => false)
        if (ok) this.confirmed = u.update_id + 1
        else await new Promise((r) => setTimeout(r, 100))
      }
    } finally {
      this.pushing = false
    }
  }

  private chat(id: number) {
    const c = this.chats.get(id)
    if (!c) throw new Error(`unknown chat ${id} (addChat first)`)
    return c
  }
  private writable(chatId: unknown) {
    const c = this.chats.get(Number(chatId))
    if (!c) throw bad('chat not found')
    if (c.botGone) throw new ApiError(403, 'Forbidden: bot was kicked from the supergroup chat')
    return c
  }
  private store(chatId: number, m: Partial<StoredMessage> & { from: TgUser }): StoredMessage {
    const c = this.chat(chatId)
    if (m.message_thread_id !== undefined && !c.chat.is_forum) m.message_thread_id = undefined
    if (m.message_thread_id !== undefined) m.is_topic_message = true
    const msg: StoredMessage = { message_id: c.nextId++, chat: c.chat, date: Math.floor(Date.now() / 1000), edits: 0, storedAt: performance.now(), ...m }
    c.messages.push(msg)
    return msg
  }
  private document(fileId: string): StoredMessage | undefined {
    for (const c of this.chats.values()) for (const m of c.messages) if (m.document?.file_id === fileId) return m
    return undefined
  }
  /** GET /file/bot<token>/<file_path>: the file's bytes (404 for an unknown or gone file). */
  private download(token: string, fileId: string, res: ServerResponse): void {
    const doc = token === this.token && !this.goneFiles.has(fileId) ? this.document(fileId) : undefined
    if (!doc?.bytes) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' })
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': doc.bytes.length })
    res.end(doc.bytes)
  }
  /** The message as the Bot API serialises it. */
  private wire(m: StoredMessage): Record<string, unknown> {
    const { bytes: _b, html: _h, edits: _e, parse_mode: _p, deleted: _d, storedAt: _s, ...rest } = m
    return JSON.parse(JSON.stringify(rest))
  }
}

async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, any>> {
  const out: Record<string, any> = Object.fromEntries(url.searchParams)
  const type = String(req.headers['content-type'] ?? '')
  if (req.method === 'POST') {
    if (type.startsWith('application/json')) {
      let body = ''
      for await (const chunk of req) body += chunk
      if (body) Object.assign(out, JSON.parse(body))
    } else if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) {
      const form = await new Response(req as unknown as ReadableStream, { headers: { 'content-type': type } }).formData()
      for (const [k, v] of form) out[k] = v
    }
  }
  for (const k of Object.keys(out)) {
    if (JSON_FIELDS.has(k) && typeof out[k] === 'string') {
      try {
        out[k] = JSON.parse(out[k])
      } catch {
        throw bad(`can't parse ${k} JSON object`)
      }
    }
  }
  return out
}

function markup(rm: unknown): StoredMessage['reply_markup'] {
  if (!rm || typeof rm !== 'object' || !('inline_keyboard' in rm)) return undefined
  const kb = (rm as { inline_keyboard: { text: string; callback_data?: string }[][] }).inline_keyboard
  for (const row of kb)
    for (const b of row) {
      if (!b.text) throw bad('inline keyboard button text must be non-empty')
      if (b.callback_data !== undefined && Buffer.byteLength(b.callback_data) > 64) throw bad('BUTTON_DATA_INVALID')
    }
  return kb.length ? { inline_keyboard: kb } : undefined
}

const num = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Number(v))
const truthy = (v: unknown) => v === true || v === 'true' || v === '1'
function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return
  const data = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) })
  res.end(data)
}
