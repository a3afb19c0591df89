/**
 * A local Discord stand-in: REST (`node:http`) plus a WebSocket gateway (`ws`, JSON, no compression)
 * that a real discord.js 14 `Client` runs against. It records every request, keeps channel messages
 * with their edits, enforces the platform's rules that matter to a bot (3 s to acknowledge an
 * interaction, one acknowledgement, payload limits, Unknown Channel / Missing Access), can answer
 * 429 or 5xx for a while, and can drop the gateway connection to test resume. Files a user attaches
 * to a slash command (Opt.attachment) are kept as Discord's CDN keeps them and served at their url.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import { validateCommands, validateMessageBody } from './discord-limits.js'
import {
  BOT_PERMISSIONS,
  guildCreate,
  memberOf,
  snowflake,
  user,
  type ApiUser,
  type CommandOption,
  type InteractionActor,
  type StandInGuild,
  type UploadSpec,
} from './discord-payloads.js'

export { Opt, Perm, user, snowflake, MEMBER_PERMISSIONS } from './discord-payloads.js'
export type { ApiUser, CommandOption, InteractionActor, StandInGuild, UploadSpec } from './discord-payloads.js'

type Json = Record<string, any>

export interface RecordedFile {
  field: string
  filename: string
  contentType: string
  data: Buffer
}

export interface RecordedRequest {
  at: number
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  /** JSON body, or `payload_json` of a multipart body */
  body: Json | undefined
  files: RecordedFile[]
  status: number
  /** set when the failure switch answered instead of the route */
  injected?: boolean
}

/** A message as the stand-in stores it: the API object plus what is only visible here. */
export interface StoredMessage {
  api: Json
  allowedMentions: Json | undefined
  files: Map<string, RecordedFile>
  ephemeral: boolean
  deleted: boolean
  history: Json[]
  nonce?: string
}

/** A file a user attached to a slash command, as the stand-in's CDN keeps it. */
export interface StoredUpload {
  id: string
  filename: string
  contentType: string
  data: Buffer
  /** the size the interaction reported */
  size: number
  /** where discord.js is told to fetch it (the stand-in's own HTTP server, with signed-URL parameters) */
  url: string
  spec: UploadSpec
  /** every download of it: what was answered, how many bytes went out, whether the body was sent to the end */
  downloads: { at: number; status: number; bytesSent: number; finished: boolean; closed: boolean }[]
}

export interface FailureSpec {
  status: 429 | 500 | 502 | 503
  /** answer this many matching requests (default: until `forMs` passes, or 1) */
  times?: number
  forMs?: number
  /** seconds, for 429 (default 1) */
  retryAfter?: number
  global?: boolean
  match?: (method: string, path: string) => boolean
  /** 5xx only: do the work first, then answer the error (the answer is lost, the effect is not) */
  afterProcessing?: boolean
}

export interface InteractionOpts {
  actor?: InteractionActor
  guildId?: string
  channelId?: string
  locale?: string
  guildLocale?: string
  attachmentSizeLimit?: number
  appPermissions?: bigint
}

export interface Ack {
  type: number
  at: number
  delayMs: number
  data?: Json
  files: RecordedFile[]
}

export interface InteractionRecord {
  id: string
  token: string
  type: number
  payload: Json
  dispatchedAt: number
  acks: Ack[]
  /** the message `@original` refers to (the reply, or for deferUpdate/update the component's message) */
  originalId?: string
  followupIds: string[]
  /** callback attempts refused (late or duplicate) */
  refused: { at: number; code: number }[]
}

export interface DiscordStandInOptions {
  token?: string
  appId?: string
  botName?: string
  heartbeatIntervalMs?: number
  /** how the gateway answers RESUME: replay missed events (Discord's normal answer) or INVALID_SESSION */
  resume?: 'replay' | 'invalid'
  ackDeadlineMs?: number
  guilds?: StandInGuild[]
}

interface Session {
  id: string
  seq: number
  events: { s: number; t: string; d: unknown }[]
  socket?: WebSocket
}

const LOADING = 1 << 7
const EPHEMERAL = 1 << 6

class HttpError extends Error {
  constructor(readonly status: number, readonly body: Json) {
    super(String(body.message))
  }
}
const unknown = (what: string, code: number) => new HttpError(404, { message: `Unknown ${what}`, code })

export class DiscordStandIn {
  readonly token: string
  readonly appId: string
  readonly bot: ApiUser
  readonly guilds: StandInGuild[]
  readonly requests: RecordedRequest[] = []
  readonly messages = new Map<string, StoredMessage>()
  readonly interactions = new Map<string, InteractionRecord>()
  readonly commands = { global: [] as Json[], guild: new Map<string, Json[]>() }
  readonly users = new Map<string, ApiUser>()
  /** files users attached to slash commands, by attachment id */
  readonly uploads = new Map<string, StoredUpload>()
  /** gateway opcodes received, in order (2 identify, 6 resume, 1 heartbeat…) */
  readonly gatewayLog: { op: number; at: number }[] = []
  /** channels that answer 403 Missing Access */
  readonly forbiddenChannels = new Set<string>()
  resumeMode: 'replay' | 'invalid'
  private server: Server
  private wss: WebSocketServer
  private port = 0
  private session?: Session
  private sockets = new Set<WebSocket>()
  private failures: (FailureSpec & { left: number; until: number })[] = []
  private waiters = new Set<() => void>()
  private readonly heartbeatMs: number
  private readonly ackDeadlineMs: number
  private closed = false

  constructor(opts: DiscordStandInOptions = {}) {
    this.token = opts.token ?? `TEST.${randomBytes(12).toString('hex')}`
    this.appId = opts.appId ?? snowflake()
    this.bot = user(this.appId, opts.botName ?? 'Shop Assistant', { bot: true })
    this.heartbeatMs = opts.heartbeatIntervalMs ?? 41_250
    this.ackDeadlineMs = opts.ackDeadlineMs ?? 3_000
    this.resumeMode = opts.resume ?? 'replay'
    this.guilds = opts.guilds ?? [
      {
        id: snowflake(),
        name: 'Seller team',
        locale: 'en-US',
        ownerId: snowflake(),
        channels: [{ id: snowflake(), name: 'orders' }],
        roles: [],
      },
    ]
    this.server = createServer((req, res) => void this.onHttp(req, res))
    this.wss = new WebSocketServer({ noServer: true })
    this.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/gateway')) return socket.destroy()
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws))
    })
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
    return this
  }

  /** The REST root to give discord.js (`rest.api`), e.g. http://127.0.0.1:1234/api */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`
  }
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`
  }
  get guild(): StandInGuild {
    return this.guilds[0]
  }
  get channelId(): string {
    return this.guilds[0].channels[0].id
  }
  get connected(): boolean {
    return Boolean(this.session?.socket && this.session.socket.readyState === WebSocket.OPEN)
  }

  async close(): Promise<void> {
    this.closed = true
    for (const s of this.sockets) s.terminate()
    this.wss.close()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  // ─── failure switch ────────────────────────────────────────────────────────────────────────────

  /** Answer matching REST requests with 429 or 5xx for a number of requests or a while. */
  fail(spec: FailureSpec): void {
    const left = spec.times ?? (spec.forMs ? Number.POSITIVE_INFINITY : 1)
    this.failures.push({ ...spec, left, until: spec.forMs ? Date.now() + spec.forMs : Number.POSITIVE_INFINITY })
  }
  clearFailures(): void {
    this.failures = []
  }

  // ─── gateway ───────────────────────────────────────────────────────────────────────────────────

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws)
    ws.on('close', () => this.sockets.delete(ws))
    ws.on('error', () => {})
    const send = (p: Json) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(p))
    send({ op: 10, d: { heartbeat_interval: this.heartbeatMs }, s: null, t: null })
    ws.on('message', (raw) => {
      let p: Json
      try {
        p = JSON.parse(String(raw))
      } catch {
        return ws.close(4002, 'Error while decoding payload.')
      }
      this.gatewayLog.push({ op: p.op, at: Date.now() })
      switch (p.op) {
        case 1:
          return void send({ op: 11, d: null, s: null, t: null })
        case 2: {
          if (p.d?.token !== this.token) return ws.close(4004, 'Authentication failed.')
          const old = this.session?.socket
          if (old && old !== ws) old.terminate()
          this.session = { id: randomBytes(16).toString('hex'), seq: 0, events: [], socket: ws }
          this.dispatch('READY', {
            v: 10,
            user: this.bot,
            guilds: this.guilds.map((g) => ({ id: g.id, unavailable: true })),
            session_id: this.session.id,
            resume_gateway_url: this.gatewayUrl,
            shard: [0, 1],
            application: { id: this.appId, flags: 0 },
            private_channels: [],
          })
          for (const g of this.guilds) this.dispatch('GUILD_CREATE', guildCreate(g, this.bot))
          return
        }
        case 6: {
          const s = this.session
          if (p.d?.token !== this.token) return ws.close(4004, 'Authentication failed.')
          if (!s || s.id !== p.d?.session_id || this.resumeMode === 'invalid') {
            return void send({ op: 9, d: false, s: null, t: null })
          }
          s.socket = ws
          for (const e of s.events.filter((e) => e.s > Number(p.d.seq ?? 0))) send({ op: 0, ...e })
          this.dispatch('RESUMED', null)
          return
        }
        default:
          return
      }
    })
  }

  /** Sends a dispatch (op 0) on the current session; kept for replay when the socket is down. */
  dispatch(t: string, d: unknown): void {
    const s = this.session
    if (!s) throw new Error('no gateway session: the bot has not identified')
    const e = { s: ++s.seq, t, d }
    s.events.push(e)
    if (s.events.length > 1000) s.events.shift()
    if (s.socket?.readyState === WebSocket.OPEN) s.socket.send(JSON.stringify({ op: 0, ...e }))
  }

  /** Drops the gateway connection as a network failure would (the client sees 1006 and resumes). */
  dropConnection(): void {
    const s = this.session?.socket
    if (this.session) this.session.socket = undefined
    s?.terminate()
  }

  /** Resolves once a bot has identified and received its guilds (or resumed). */
  async waitForSession(timeoutMs = 5000): Promise<void> {
    await this.waitFor(() => this.connected && (this.session?.seq ?? 0) > this.guilds.length, timeoutMs, 'a gateway session')
  }

  /** The bot joins a guild while running. */
  joinGuild(g: StandInGuild): void {
    this.guilds.push(g)
    this.dispatch('GUILD_CREATE', guildCreate(g, this.bot))
  }

  // ─── REST ──────────────────────────────────────────────────────────────────────────────────────

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const method = req.method ?? 'GET'
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const raw = Buffer.concat(chunks)
    const rec: RecordedRequest = {
      at: Date.now(),
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: undefined,
      files: [],
      status: 0,
    }
    const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      rec.status = status
      this.requests.push(rec)
      res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers })
      res.end(body === undefined ? undefined : JSON.stringify(body))
      this.wake()
    }
    try {
      const ct = String(req.headers['content-type'] ?? '')
      if (ct.startsWith('multipart/form-data')) {
        const form = await new Response(raw, { headers: { 'content-type': ct } }).formData()
        for (const [field, v] of form.entries()) {
          if (field === 'payload_json') rec.body = JSON.parse(String(v))
          else if (typeof v !== 'string')
            rec.files.push({ field, filename: v.name, contentType: v.type, data: Buffer.from(await v.arrayBuffer()) })
        }
      } else if (raw.length) {
        rec.body = JSON.parse(raw.toString('utf8'))
      }
      if (url.pathname.startsWith('/attachments/')) {
        const upload = this.uploads.get(url.pathname.split('/')[2])
        if (upload) {
          if (method !== 'GET') return reply(405, { message: '405: Method Not Allowed', code: 0 })
          if (upload.spec.status) {
            upload.downloads.push({ at: Date.now(), status: upload.spec.status, bytesSent: 0, finished: false, closed: true })
            return reply(upload.spec.status, { message: 'This content is no longer available.', code: 0 })
          }
          rec.status = 200
          this.requests.push(rec)
          return void this.serveUpload(upload, res)
        }
        const f = this.findAttachment(url.pathname.split('/')[2])
        if (!f) return reply(404, { message: '404: Not Found', code: 0 })
        rec.status = 200
        this.requests.push(rec)
        res.writeHead(200, { 'content-type': f.contentType || 'application/octet-stream' })
        return void res.end(f.data)
      }
      const m = url.pathname.match(/^\/api\/v10(\/.*)$/)
      if (!m) return reply(404, { message: '404: Not Found', code: 0 })
      const path = m[1]
      const injected = this.injectedFailure(method, path)
      if (injected && !injected.afterProcessing) {
        rec.injected = true
        return reply(injected.status, injected.body, injected.headers)
      }
      const out = this.route(method, path, rec, url)
      if (injected) {
        rec.injected = true
        return reply(injected.status, injected.body, injected.headers)
      }
      if (out === undefined) return reply(204)
      return reply(200, out)
    } catch (err) {
      if (err instanceof HttpError) return reply(err.status, err.body)
      return reply(500, { message: `stand-in error: ${(err as Error).message}`, code: 0 })
    }
  }

  private injectedFailure(method: string, path: string) {
    if (path === '/gateway/bot') return undefined
    const now = Date.now()
    this.failures = this.failures.filter((f) => f.left > 0 && f.until > now)
    const f = this.failures.find((f) => !f.match || f.match(method, path))
    if (!f) return undefined
    f.left--
    if (f.status === 429) {
      const after = f.retryAfter ?? 1
      return {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: after, global: Boolean(f.global), code: 0 },
        afterProcessing: false,
        headers: {
          'retry-after': String(Math.ceil(after)),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(after),
          'x-ratelimit-bucket': 'standin' + randomBytes(4).toString('hex'),
          'x-ratelimit-scope': f.global ? 'global' : 'user',
          ...(f.global ? { 'x-ratelimit-global': 'true' } : {}),
        },
      }
    }
    return { status: f.status, body: { message: 'Internal Server Error', code: 0 }, headers: {}, afterProcessing: f.afterProcessing }
  }

  private requireAuth(rec: RecordedRequest): void {
    if (rec.headers.authorization !== `Bot ${this.token}`) throw new HttpError(401, { message: '401: Unauthorized', code: 0 })
  }

  private route(method: string, path: string, rec: RecordedRequest, url: URL): unknown {
    const seg = path.split('/').slice(1).map(decodeURIComponent)
    const body = rec.body ?? {}
    const key = `${method} ${seg[0]}`
    // GET /gateway/bot
    if (method === 'GET' && path === '/gateway/bot') {
      this.requireAuth(rec)
      return {
        url: this.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      }
    }
    if (method === 'GET' && path === '/users/@me') {
      this.requireAuth(rec)
      return this.bot
    }
    if (method === 'GET' && path === '/applications/@me') {
      this.requireAuth(rec)
      return { id: this.appId, name: this.bot.username, description: '', icon: null, bot_public: false, bot_require_code_grant: false, bot: this.bot, flags: 0, verify_key: '0'.repeat(64), team: null }
    }
    // application commands
    if (seg[0] === 'applications' && seg[1] === this.appId) {
      this.requireAuth(rec)
      const guildId = seg[2] === 'guilds' ? seg[3] : undefined
      const isList = guildId ? seg[4] === 'commands' && seg.length === 5 : seg[2] === 'commands' && seg.length === 3
      if (!isList) throw new HttpError(404, { message: '404: Not Found', code: 0 })
      if (guildId && !this.guilds.some((g) => g.id === guildId)) throw new HttpError(403, { message: 'Missing Access', code: 50001 })
      if (method === 'GET') return guildId ? (this.commands.guild.get(guildId) ?? []) : this.commands.global
      if (method !== 'PUT') throw new HttpError(405, { message: '405: Method Not Allowed', code: 0 })
      if (!Array.isArray(rec.body)) throw formError({ _errors: 'must be an array' })
      const errors = validateCommands(rec.body)
      if (errors) throw formError(errors)
      const stored = (rec.body as Json[]).map((c) => ({
        id: snowflake(),
        application_id: this.appId,
        ...(guildId ? { guild_id: guildId } : {}),
        version: snowflake(),
        type: 1,
        default_member_permissions: null,
        ...c,
      }))
      if (guildId) this.commands.guild.set(guildId, stored)
      else this.commands.global = stored
      return stored
    }
    // interaction callback
    if (method === 'POST' && seg[0] === 'interactions' && seg[3] === 'callback') {
      return this.callback(seg[1], seg[2], body, rec, url.searchParams.get('with_response') === 'true')
    }
    // webhooks (follow-ups and @original)
    if (seg[0] === 'webhooks') {
      const ia = this.byToken(seg[1], seg[2])
      if (seg.length === 3 && method === 'POST') {
        if (!ia.acks.length) throw unknown('Webhook', 10015)
        const flags = Number(body.flags ?? 0)
        const msg = this.createMessage(this.channelOf(ia), body, rec, { interaction: ia, ephemeral: Boolean(flags & EPHEMERAL) })
        ia.followupIds.push(msg.api.id)
        return msg.api
      }
      if (seg[3] === 'messages' && seg[4]) {
        const id = seg[4] === '@original' ? ia.originalId : seg[4]
        const msg = id ? this.messages.get(id) : undefined
        if (!msg || msg.deleted || (seg[4] !== '@original' && !ia.followupIds.includes(id!))) throw unknown('Message', 10008)
        if (method === 'GET') return msg.api
        if (method === 'PATCH') return this.editMessage(msg, body, rec).api
        if (method === 'DELETE') {
          msg.deleted = true
          return undefined
        }
      }
      throw new HttpError(404, { message: '404: Not Found', code: 0 })
    }
    // channel messages
    if (seg[0] === 'channels' && seg[2] === 'messages') {
      this.requireAuth(rec)
      const channelId = seg[1]
      if (!this.guilds.some((g) => g.channels.some((c) => c.id === channelId))) throw unknown('Channel', 10003)
      if (this.forbiddenChannels.has(channelId)) throw new HttpError(403, { message: 'Missing Access', code: 50001 })
      if (seg.length === 3 && method === 'POST') {
        // enforce_nonce: the same nonce from the same author within a few minutes returns the first message
        if (body.enforce_nonce && body.nonce !== undefined) {
          if (String(body.nonce).length > 25) throw formError({ nonce: 'at most 25 characters' })
          const twin = [...this.messages.values()].find(
            (m) => m.api.channel_id === channelId && m.nonce === String(body.nonce) && Date.now() - Date.parse(m.api.timestamp) < 5 * 60_000,
          )
          if (twin) return twin.api
        }
        const msg = this.createMessage(channelId, body, rec, {})
        if (body.nonce !== undefined) msg.nonce = String(body.nonce)
        return msg.api
      }
      if (seg.length === 4) {
        const msg = this.messages.get(seg[3])
        if (!msg || msg.deleted || msg.api.channel_id !== channelId || msg.ephemeral) throw unknown('Message', 10008)
        if (method === 'GET') return msg.api
        if (method === 'PATCH') {
          if (msg.api.author.id !== this.bot.id) throw new HttpError(403, { message: 'Cannot edit a message authored by another user', code: 50005 })
          return this.editMessage(msg, body, rec).api
        }
      }
    }
    void key
    throw new HttpError(404, { message: '404: Not Found', code: 0 })
  }

  private byToken(appId: string, token: string): InteractionRecord {
    if (appId !== this.appId) throw unknown('Webhook', 10015)
    for (const ia of this.interactions.values()) if (ia.token === token) return ia
    throw unknown('Webhook', 10015)
  }

  private channelOf(ia: InteractionRecord): string {
    return String(ia.payload.channel_id)
  }

  private callback(id: string, token: string, body: Json, rec: RecordedRequest, withResponse: boolean): unknown {
    const ia = this.interactions.get(id)
    if (!ia || ia.token !== token) throw unknown('interaction', 10062)
    const now = Date.now()
    if (now - ia.dispatchedAt > this.ackDeadlineMs) {
      ia.refused.push({ at: now, code: 10062 })
      throw unknown('interaction', 10062)
    }
    if (ia.acks.length) {
      ia.refused.push({ at: now, code: 40060 })
      throw new HttpError(400, { message: 'Interaction has already been acknowledged.', code: 40060 })
    }
    const type = Number(body.type)
    const data: Json = body.data ?? {}
    const channelId = this.channelOf(ia)
    const componentMsgId: string | undefined = ia.payload.message?.id
    let resource: Json | undefined
    switch (type) {
      case 4:
      case 5: {
        const flags = Number(data.flags ?? 0)
        const errs = type === 4 ? validateMessageBody(data, rec.files.length) : null
        if (errs) throw formError({ data: errs })
        const msg = this.createMessage(channelId, type === 4 ? data : { content: '', flags: flags | LOADING }, rec, {
          interaction: ia,
          ephemeral: Boolean(flags & EPHEMERAL),
          skipValidation: type === 5,
        })
        ia.originalId = msg.api.id
        resource = { type, message: msg.api }
        break
      }
      case 6:
      case 7: {
        if (!componentMsgId) throw formError({ type: 'only for component interactions' })
        const msg = this.messages.get(componentMsgId)
        if (!msg) throw unknown('Message', 10008)
        ia.originalId = componentMsgId
        if (type === 7) this.editMessage(msg, data, rec)
        resource = { type, message: msg.api }
        break
      }
      case 8:
        if (ia.type !== 4) throw formError({ type: 'autocomplete result only answers autocomplete' })
        if ((data.choices ?? []).length > 25) throw formError({ data: { choices: 'Must be 25 or fewer in length.' } })
        break
      case 9: {
        if (ia.type === 5) throw formError({ type: 'a modal cannot answer a modal submit' })
        const errs = validateModal(data)
        if (errs) throw formError({ data: errs })
        break
      }
      default:
        throw formError({ type: `unsupported callback type ${type}` })
    }
    ia.acks.push({ type, at: now, delayMs: now - ia.dispatchedAt, data, files: rec.files })
    if (!withResponse) return undefined
    return {
      interaction: { id: ia.id, type: ia.type, activity_instance_id: null, response_message_id: ia.originalId ?? null, response_message_loading: type === 5, response_message_ephemeral: false },
      resource,
    }
  }

  private createMessage(
    channelId: string,
    body: Json,
    rec: RecordedRequest,
    o: { interaction?: InteractionRecord; ephemeral?: boolean; skipValidation?: boolean },
  ): StoredMessage {
    if (!o.skipValidation) {
      const errs = validateMessageBody(body, rec.files.length)
      if (errs) throw formError(errs)
      if (!body.content && !(body.embeds ?? []).length && !rec.files.length && !(body.components ?? []).length)
        throw new HttpError(400, { message: 'Cannot send an empty message', code: 50006 })
    }
    const guildId = this.guilds.find((g) => g.channels.some((c) => c.id === channelId))?.id
    const ia = o.interaction
    const id = snowflake()
    const api: Json = {
      id,
      type: ia ? (ia.type === 2 ? 20 : 19) : 0,
      channel_id: channelId,
      ...(guildId ? { guild_id: guildId } : {}),
      author: this.bot,
      content: body.content ?? '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: body.embeds ?? [],
      components: body.components ?? [],
      pinned: false,
      flags: Number(body.flags ?? 0),
      ...(ia
        ? {
            webhook_id: this.appId,
            application_id: this.appId,
            interaction_metadata: {
              id: ia.id,
              type: ia.type,
              user: ia.payload.member?.user ?? ia.payload.user,
              authorizing_integration_owners: { '0': ia.payload.guild_id ?? '0' },
              ...(ia.type === 2 ? { name: ia.payload.data?.name } : {}),
            },
          }
        : {}),
    }
    const msg: StoredMessage = { api, allowedMentions: body.allowed_mentions, files: new Map(), ephemeral: Boolean(o.ephemeral), deleted: false, history: [] }
    this.attach(msg, body, rec)
    api.mention_everyone = this.pings(api.content, msg.allowedMentions).everyone
    this.messages.set(id, msg)
    return msg
  }

  private editMessage(msg: StoredMessage, body: Json, rec: RecordedRequest): StoredMessage {
    const next = { ...msg.api, ...pick(body, ['content', 'embeds', 'components', 'flags']) }
    if (msg.api.flags & LOADING) next.flags = (Number(body.flags ?? msg.api.flags) & ~LOADING) | (msg.api.flags & EPHEMERAL)
    const errs = validateMessageBody(next, rec.files.length + (body.attachments ? 0 : msg.api.attachments.length))
    if (errs) throw formError(errs)
    msg.history.push(msg.api)
    msg.api = { ...next, edited_timestamp: new Date().toISOString() }
    if ('allowed_mentions' in body) msg.allowedMentions = body.allowed_mentions
    this.attach(msg, body, rec)
    return msg
  }

  private attach(msg: StoredMessage, body: Json, rec: RecordedRequest): void {
    const keep: Json[] = body.attachments
      ? msg.api.attachments.filter((a: Json) => body.attachments.some((b: Json) => String(b.id) === a.id))
      : msg.api.attachments
    const added = rec.files.map((f, i) => {
      const id = snowflake()
      const meta = (body.attachments ?? []).find((b: Json) => String(b.id) === String(i)) ?? {}
      msg.files.set(id, f)
      return {
        id,
        filename: meta.filename ?? f.filename,
        ...(meta.description ? { description: meta.description } : {}),
        size: f.data.length,
        content_type: f.contentType,
        url: `http://127.0.0.1:${this.port}/attachments/${id}/${encodeURIComponent(f.filename)}`,
        proxy_url: `http://127.0.0.1:${this.port}/attachments/${id}/${encodeURIComponent(f.filename)}`,
      }
    })
    msg.api = { ...msg.api, attachments: [...keep, ...added] }
  }

  /** Streams an upload in chunks, as a CDN does, minding backpressure and noting how far it got. */
  private async serveUpload(up: StoredUpload, res: ServerResponse): Promise<void> {
    const d = { at: Date.now(), status: 200, bytesSent: 0, finished: false, closed: false }
    up.downloads.push(d)
    res.on('close', () => {
      d.closed = true
      d.finished = res.writableFinished
      this.wake()
    })
    res.writeHead(200, {
      'content-type': up.contentType,
      ...(up.spec.contentLength === false ? {} : { 'content-length': String(up.data.length) }),
    })
    const CHUNK = 64 * 1024
    for (let off = 0; off < up.data.length; off += CHUNK) {
      if (res.destroyed) return
      const part = up.data.subarray(off, off + CHUNK)
      const flushed = res.write(part)
      d.bytesSent += part.length
      if (up.spec.stall) return this.wake() // leave the download hanging (closed when the client gives up or the stand-in closes)
      if (!flushed) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done)
            res.off('close', done)
            resolve()
          }
          res.on('drain', done)
          res.on('close', done)
        })
      }
    }
    if (!res.destroyed) res.end()
  }

  /** Keeps a file a user attaches (the stand-in's CDN); `slash` does this for an attachment option. */
  addUpload(spec: UploadSpec): StoredUpload {
    const id = snowflake()
    const data = typeof spec.data === 'string' ? Buffer.from(spec.data, 'utf8') : Buffer.from(spec.data)
    const ext = /\.([a-z0-9]+)$/i.exec(spec.filename)?.[1]?.toLowerCase()
    const contentType =
      spec.contentType ??
      (ext === 'csv' ? 'text/csv; charset=utf-8' : ext === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'application/octet-stream')
    // CDN links are signed and expire: ex (expiry), is (issued), hm (signature)
    const now = Math.floor(Date.now() / 1000)
    const query = `ex=${(now + 86_400).toString(16)}&is=${now.toString(16)}&hm=${randomBytes(32).toString('hex')}&`
    const up: StoredUpload = {
      id,
      filename: spec.filename,
      contentType,
      data,
      size: spec.size ?? data.length,
      url: `http://127.0.0.1:${this.port}/attachments/${id}/${encodeURIComponent(spec.filename)}?${query}`,
      spec,
      downloads: [],
    }
    this.uploads.set(id, up)
    return up
  }

  private findAttachment(id: string): RecordedFile | undefined {
    for (const m of this.messages.values()) {
      const f = m.files.get(id)
      if (f) return f
    }
    return undefined
  }

  /** Who a message would notify on Discord: only `content` mentions notify, filtered by allowed_mentions. */
  pings(content: string, allowed: Json | undefined): { everyone: boolean; users: string[]; roles: string[] } {
    const parse: string[] = allowed?.parse ?? ['everyone', 'users', 'roles']
    const everyone = /@(everyone|here)/.test(content) && parse.includes('everyone')
    const users = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]).filter((id) => parse.includes('users') || (allowed?.users ?? []).includes(id))
    const roles = [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]).filter((id) => parse.includes('roles') || (allowed?.roles ?? []).includes(id))
    return { everyone, users, roles }
  }

  // ─── interactions (what a user does) ───────────────────────────────────────────────────────────

  private newInteraction(type: number, data: Json, o: InteractionOpts, extra: Json = {}): InteractionRecord {
    const guild = this.guilds.find((g) => g.id === o.guildId) ?? this.guilds[0]
    const actor = o.actor ?? { user: user('100000000000000001', 'ada'), permissions: undefined }
    this.users.set(actor.user.id, actor.user)
    const channelId = o.channelId ?? guild.channels[0].id
    const id = snowflake()
    const token = `aW50ZXJhY3Rpb24${randomBytes(24).toString('base64url')}`
    const payload: Json = {
      id,
      application_id: this.appId,
      type,
      data,
      token,
      version: 1,
      locale: o.locale ?? 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': actor.dm ? '0' : guild.id },
      context: actor.dm ? 1 : 0,
      attachment_size_limit: o.attachmentSizeLimit ?? 10 * 1024 * 1024,
      app_permissions: String(o.appPermissions ?? BOT_PERMISSIONS),
      channel_id: channelId,
      ...(actor.dm
        ? { user: actor.user, channel: { id: channelId, type: 1, recipients: [actor.user] } }
        : {
            guild_id: guild.id,
            guild_locale: o.guildLocale ?? guild.locale,
            guild: { id: guild.id, locale: o.guildLocale ?? guild.locale, features: [] },
            member: memberOf(actor),
            channel: { id: channelId, type: 0, guild_id: guild.id, name: guild.channels.find((c) => c.id === channelId)?.name ?? 'channel', permissions: String(BOT_PERMISSIONS), flags: 0 },
          }),
      ...extra,
    }
    const rec: InteractionRecord = { id, token, type, payload, dispatchedAt: Date.now(), acks: [], followupIds: [], refused: [] }
    this.interactions.set(id, rec)
    this.dispatch('INTERACTION_CREATE', payload)
    return rec
  }

  private commandData(name: string, options: CommandOption[], guildId?: string): Json {
    const registered = [...(this.commands.guild.get(guildId ?? this.guilds[0].id) ?? []), ...this.commands.global].find((c) => c.name === name)
    const users: Json = {}
    const members: Json = {}
    const attachments: Json = {}
    const walk = (opts: CommandOption[]): CommandOption[] =>
      opts.map(({ upload, ...o }) => {
        if (o.type === 6) {
          const u = this.users.get(String(o.value)) ?? user(String(o.value), `user${String(o.value).slice(-4)}`)
          users[u.id] = u
          const { user: _u, ...m } = memberOf({ user: u })
          members[u.id] = m
        }
        if (o.type === 11 && upload) {
          // Discord: the option's value is the attachment id; the attachment is in data.resolved.attachments
          const up = this.addUpload(upload)
          attachments[up.id] = { id: up.id, filename: up.filename, size: up.size, url: up.url, proxy_url: up.url, content_type: up.contentType, ephemeral: true }
          return { ...o, value: up.id }
        }
        return o.options ? { ...o, options: walk(o.options) } : o
      })
    const sent = walk(options)
    const resolved: Json = {
      ...(Object.keys(users).length ? { users, members } : {}),
      ...(Object.keys(attachments).length ? { attachments } : {}),
    }
    return {
      id: registered?.id ?? snowflake(),
      name,
      type: 1,
      ...(guildId ?? this.guilds[0].id ? { guild_id: guildId ?? this.guilds[0].id } : {}),
      ...(sent.length ? { options: sent } : {}),
      ...(Object.keys(resolved).length ? { resolved } : {}),
    }
  }

  /** A user runs a slash command. */
  slash(name: string, options: CommandOption[] = [], o: InteractionOpts = {}): InteractionHandle {
    return new InteractionHandle(this, this.newInteraction(2, this.commandData(name, options, o.guildId), o))
  }

  /** A user types in an autocomplete option (mark it with `focused: true`). */
  autocomplete(name: string, options: CommandOption[], o: InteractionOpts = {}): InteractionHandle {
    return new InteractionHandle(this, this.newInteraction(4, this.commandData(name, options, o.guildId), o))
  }

  private componentMessage(messageId: string, customId: string, kind: number, force: boolean): Json {
    const msg = this.messages.get(messageId)
    if (!msg) throw new Error(`no message ${messageId} in the stand-in`)
    const present = (msg.api.components as Json[]).some((row) =>
      (row.components as Json[]).some((c) => c.custom_id === customId && c.type === kind && !c.disabled),
    )
    if (!present && !force) throw new Error(`message ${messageId} has no enabled component ${customId}: ${JSON.stringify(msg.api.components)}`)
    return msg.api
  }

  /** A user presses a button on a message. `snapshot` presses a button from an older copy (a race). */
  press(messageId: string, customId: string, o: InteractionOpts & { snapshot?: Json } = {}): InteractionHandle {
    const message = o.snapshot ?? this.componentMessage(messageId, customId, 2, false)
    return new InteractionHandle(
      this,
      this.newInteraction(3, { custom_id: customId, component_type: 2 }, { channelId: message.channel_id, ...o }, { message }),
    )
  }

  /** A user picks values in a string select menu on a message. */
  select(messageId: string, customId: string, values: string[], o: InteractionOpts = {}): InteractionHandle {
    const message = this.componentMessage(messageId, customId, 3, false)
    return new InteractionHandle(
      this,
      this.newInteraction(3, { custom_id: customId, component_type: 3, values }, { channelId: message.channel_id, ...o }, { message }),
    )
  }

  /** A user submits a modal the bot opened (answer to interaction `from`). */
  submitModal(from: InteractionHandle, values: Record<string, string>, o: InteractionOpts = {}): InteractionHandle {
    const modal = from.record.acks.find((a) => a.type === 9)?.data
    if (!modal) throw new Error('that interaction was not answered with a modal')
    const components = (modal.components as Json[]).map((row) => {
      const input = row.type === 18 ? row.component : row.components[0]
      const wrapped = { type: 4, id: input.id, custom_id: input.custom_id, value: values[input.custom_id] ?? '' }
      return row.type === 18 ? { type: 18, id: row.id, component: wrapped } : { type: 1, id: row.id, components: [wrapped] }
    })
    const message = from.record.payload.message
    return new InteractionHandle(
      this,
      this.newInteraction(5, { custom_id: modal.custom_id, components }, { channelId: from.record.payload.channel_id, actor: actorOf(from.record), ...o }, message ? { message } : {}),
    )
  }

  // ─── reading what the bot sent ─────────────────────────────────────────────────────────────────

  message(id: string): StoredMessage {
    const m = this.messages.get(id)
    if (!m) throw new Error(`no message ${id}`)
    return m
  }

  /** Messages everyone in the channel sees (not ephemeral, not deleted), oldest first. */
  channelMessages(channelId = this.channelId): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.api.channel_id === channelId && !m.ephemeral && !m.deleted)
  }

  /** Requests that create or change messages (what could notify a user). */
  messageWrites(): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        !r.injected &&
        r.status < 300 &&
        ((r.method === 'POST' && /^\/api\/v10\/channels\/\d+\/messages$/.test(r.path)) ||
          (r.method === 'PATCH' && /\/messages\//.test(r.path)) ||
          (r.method === 'POST' && /^\/api\/v10\/webhooks\//.test(r.path)) ||
          (r.method === 'POST' && /\/callback$/.test(r.path) && [4, 7].includes(Number(r.body?.type)))),
    )
  }

  file(msg: StoredMessage, index = 0): RecordedFile {
    const att = msg.api.attachments[index]
    if (!att) throw new Error(`message ${msg.api.id} has no attachment ${index}`)
    return msg.files.get(att.id)!
  }

  // ─── waiting ───────────────────────────────────────────────────────────────────────────────────

  private wake(): void {
    for (const w of [...this.waiters]) w()
  }

  /** Polls `pred` after every request (and every 20 ms) until it holds, or fails with `what`. */
  async waitFor<T>(pred: () => T | undefined | false | null, timeoutMs = 5000, what = 'a condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const v = pred()
      if (v) return v
      if (this.closed) throw new Error(`stand-in closed while waiting for ${what}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t)
          this.waiters.delete(done)
          resolve()
        }
        const t = setTimeout(done, Math.min(left, 20))
        this.waiters.add(done)
      })
    }
  }
}

/** What a user sees as the answer to one interaction. */
export interface InteractionOutcome {
  ack: Ack
  /** the reply (or edited component message), when there is one */
  message?: Json
  ephemeral: boolean
  followups: Json[]
  modal?: Json
  choices?: Json[]
}

export class InteractionHandle {
  constructor(readonly standIn: DiscordStandIn, readonly record: InteractionRecord) {}

  get id(): string {
    return this.record.id
  }

  /** Resolves with the first acknowledgement. */
  async ack(timeoutMs = 5000): Promise<Ack> {
    return this.standIn.waitFor(() => this.record.acks[0], timeoutMs, `an acknowledgement of interaction ${this.id}`)
  }

  /**
   * Resolves once the user can see the answer: an immediate reply, an update, a modal, autocomplete
   * choices, or — after a deferral — the edit of `@original` or a follow-up.
   */
  async outcome(timeoutMs = 5000, accept: (o: InteractionOutcome) => boolean = () => true): Promise<InteractionOutcome> {
    const ack = await this.ack(timeoutMs)
    const startEdits = () => {
      const msg = this.record.originalId ? this.standIn.messages.get(this.record.originalId) : undefined
      return msg
    }
    const done = () => {
      const msg = startEdits()
      const followups = this.record.followupIds.map((id) => this.standIn.message(id).api)
      if (ack.type === 9) return { ack, ephemeral: true, followups, modal: ack.data }
      if (ack.type === 8) return { ack, ephemeral: true, followups, choices: ack.data?.choices ?? [] }
      if (ack.type === 4 || ack.type === 7) return { ack, ephemeral: Boolean(msg?.ephemeral), followups, message: msg?.api }
      // deferred: wait for an edit of the original (after the ack) or a follow-up
      const edited = msg && msg.api.edited_timestamp && Date.parse(msg.api.edited_timestamp) >= ack.at && !(msg.api.flags & LOADING)
      if (!edited && !followups.length) return undefined
      return { ack, ephemeral: Boolean(msg?.ephemeral), followups, message: edited ? msg!.api : undefined }
    }
    const accepted = () => {
      const o = done()
      return o && accept(o as InteractionOutcome) ? o : undefined
    }
    return this.standIn.waitFor(accepted, timeoutMs, `the answer to interaction ${this.id}`) as Promise<InteractionOutcome>
  }
}

function actorOf(r: InteractionRecord): InteractionActor {
  const m = r.payload.member
  return m ? { user: m.user, permissions: BigInt(m.permissions), roles: m.roles } : { user: r.payload.user, dm: true }
}

function pick(o: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]))
}

function formError(errors: unknown) {
  return new HttpError(400, { message: 'Invalid Form Body', code: 50035, errors })
}

function validateModal(data: Json): unknown {
  const problems: string[] = []
  if (!data.custom_id || String(data.custom_id).length > 100) problems.push('custom_id: 1-100 characters')
  if (!data.title || String(data.title).length > 45) problems.push('title: 1-45 characters')
  const rows = (data.components ?? []) as Json[]
  if (!rows.length || rows.length > 5) problems.push('components: 1-5')
  for (const row of rows) {
    const input = row.type === 18 ? row.component : row.components?.[0]
    if (!input?.custom_id) problems.push('a text input needs a custom_id')
    if (row.type === 1 && input && (!input.label || String(input.label).length > 45)) problems.push('label: 1-45 characters')
  }
  return problems.length ? { _errors: problems } : null
}

export async function startDiscordStandIn(opts: DiscordStandInOptions = {}): Promise<DiscordStandIn> {
  return new DiscordStandIn(opts).start()
}
