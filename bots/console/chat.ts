/**
 * The terminal chat: a ChatPort that prints the assistant's messages, and a reader of typed lines.
 * The console is the shop owner's own terminal: one channel (platform 'console', externalId
 * 'terminal') and one user, who is the channel's admin (the app stores that role at start).
 *
 * Typed input:
 *   /orders, /order ID, /export …, /late, /stock, /help …   the same commands as the bots
 *   /stock file PATH [shop]                                  a stock file (CSV or Excel) on this machine
 *   3                                                        press button [3]
 *   accept 2 | reject 2   (also a / r, 接受 / 拒绝)           Accept / Reject on message #2
 *   accept | reject                                          … on the latest message that has it
 */
import type { ConsoleChatHandle } from '../../src/app.js'
import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { createInterface, type Interface } from 'node:readline'
import type { Actor, Assistant, ChannelInfo, ChannelRef, Command, Locale, OutgoingFile, Reply } from '../../src/assistant/types.js'
import { parseTextCommand } from '../../src/commands/parse-text.js'
import type { Action } from '../../src/notifications/actions.js'
import type { ChatPort } from '../../src/notifications/chat-port.js'
import type { NeutralMessage } from '../../src/notifications/message.js'
import { systemClock, type Clock } from '../../src/shared/clock.js'
import { silentLogger, type Logger } from '../../src/shared/logger.js'
import { renderMessage, sanitize } from './render.js'

export const CONSOLE_CHANNEL: ChannelRef = { platform: 'console', externalId: 'terminal', title: 'Terminal' }

export interface ConsoleChatOptions {
  assistant: Assistant
  input?: NodeJS.ReadableStream
  output?: NodeJS.WritableStream
  clock?: Clock
  logger?: Logger
  /** where files from replies (exports, labels, pick lists) are saved (default ./data/files) */
  outDir?: string
  /** the local user (default: the OS user name) */
  user?: { userId: string; displayName: string }
  /** ANSI colours (default: when output is a TTY) */
  color?: boolean
  /** used until the first message tells the channel's own settings */
  defaults?: { locale: Locale; timeZone: string }
}

/** What the app holds of the terminal chat (the contract lives in the composition root). */
export type ConsoleChat = ConsoleChatHandle

interface Pressable {
  action: Action
  label: string
  /** message number (#N) it belongs to, or 0 for a reply's choices */
  messageRef: number
}

const TEXT = {
  en: {
    hint: 'Type /help for commands; a number presses that button; "accept N" / "reject N" answers message #N.',
    noButton: (n: number) => `There is no button [${n}] (any more). Buttons are shown as [N] under the messages.`,
    noMessage: (what: string) => `No cancellation request is waiting for ${what} (requests show [N] Accept  [N] Reject).`,
    saved: (p: string) => `File saved: ${p}`,
    stopHint: 'To stop the assistant press Ctrl-C.',
    failed: 'That did not work; the details are in the log.',
  },
  'zh-CN': {
    hint: '输入 /help 查看命令；输入数字按下对应按钮；输入 “accept N” / “reject N” 处理消息 #N。',
    noButton: (n: number) => `没有按钮 [${n}]（或已失效）。按钮显示为消息下方的 [N]。`,
    noMessage: (what: string) => `没有等待${what}的取消申请（申请下方会显示 [N] 接受  [N] 拒绝）。`,
    saved: (p: string) => `文件已保存：${p}`,
    stopHint: '要停止助手，请按 Ctrl-C。',
    failed: '操作失败，详情见日志。',
  },
}

export function startConsoleChat(opts: ConsoleChatOptions): ConsoleChat {
  const output = opts.output ?? process.stdout
  const input = opts.input ?? process.stdin
  const clock = opts.clock ?? systemClock
  const logger = opts.logger ?? silentLogger
  const outDir = resolve(opts.outDir ?? './data/files')
  const color = opts.color ?? Boolean((output as { isTTY?: boolean }).isTTY)
  const user = opts.user ?? { userId: 'owner', displayName: safeUserName() }
  const actor: Actor = { platform: 'console', userId: user.userId, displayName: user.displayName }
  let view = { locale: opts.defaults?.locale ?? ('en' as Locale), timeZone: opts.defaults?.timeZone ?? 'UTC' }

  let messageSeq = 0
  let buttonSeq = 0
  const buttons = new Map<number, Pressable>()
  /** platform message id → its number and its button numbers */
  const messages = new Map<string, { ref: number; buttons: number[] }>()

  const write = (text: string) => void output.write(text.endsWith('\n') ? text : text + '\n')
  const t = () => TEXT[view.locale] ?? TEXT.en

  function remember(channel: ChannelInfo) {
    if (channel.platform === 'console') view = { locale: channel.locale, timeZone: channel.timeZone }
  }

  function number(msg: NeutralMessage, messageRef: number): { nums: number[]; numberOf: (r: number, c: number) => number | undefined } {
    const grid = msg.buttons.map((row) =>
      row.map((b) => {
        const n = ++buttonSeq
        buttons.set(n, { action: b.action, label: b.label, messageRef })
        return n
      }),
    )
    return { nums: grid.flat(), numberOf: (r, c) => grid[r]?.[c] }
  }

  const port: ChatPort = {
    platform: 'console',
    async post(channel, msg) {
      remember(channel)
      const ref = ++messageSeq
      const id = String(ref)
      const { nums, numberOf } = number(msg, ref)
      messages.set(id, { ref, buttons: nums })
      write(renderMessage(msg, { ...channelView(channel), now: clock.now(), color, ref: `#${ref}`, numberOf: (_b, r, c) => numberOf(r, c) }))
      return { messageId: id }
    },
    async edit(channel, messageId, msg) {
      remember(channel)
      const m = messages.get(messageId)
      const ref = m?.ref ?? Number(messageId)
      for (const n of m?.buttons ?? []) buttons.delete(n)
      const { nums, numberOf } = number(msg, ref)
      messages.set(messageId, { ref, buttons: nums })
      write(
        renderMessage(msg, { ...channelView(channel), now: clock.now(), color, ref: `#${ref}`, edited: true, numberOf: (_b, r, c) => numberOf(r, c) }),
      )
    },
  }

  const channelView = (c: ChannelInfo) => ({ locale: c.locale, timeZone: c.timeZone })

  async function run(command: Command): Promise<void> {
    let reply: Reply
    try {
      reply = await opts.assistant.handle(CONSOLE_CHANNEL, actor, command)
    } catch (err) {
      logger.error('console command failed', { command: command.name, err })
      write(t().failed)
      return
    }
    if (reply.channel) remember(reply.channel)
    let numberOf: ((r: number, c: number) => number | undefined) | undefined
    if (reply.message.buttons.length) numberOf = number(reply.message, 0).numberOf
    write(renderMessage(reply.message, { ...view, now: clock.now(), color, numberOf: numberOf ? (_b, r, c) => numberOf!(r, c) : undefined }))
    if (reply.choices) {
      // the prompt is usually the message's title, shown just above
      if (reply.choices.prompt !== reply.message.title) write(sanitize(reply.choices.prompt))
      const line = reply.choices.options
        .map((o) => {
          const n = ++buttonSeq
          buttons.set(n, { action: o.action, label: o.label, messageRef: 0 })
          return `[${n}] ${sanitize(o.label)}`
        })
        .join('\n')
      write(line)
    }
    for (const f of reply.files ?? []) write(t().saved(await keepFile(f)))
  }

  async function keepFile(f: OutgoingFile): Promise<string> {
    await mkdir(outDir, { recursive: true })
    const target = join(outDir, `${Date.now()}-${basename(f.filename).replace(/[^\w.\-\u4e00-\u9fff]/g, '_')}`)
    try {
      await rename(f.path, target)
    } catch {
      await copyFile(f.path, target)
      await rm(f.path, { force: true })
    }
    return target
  }

  async function press(n: number): Promise<void> {
    const b = buttons.get(n)
    if (!b) return write(t().noButton(n))
    await run({ name: 'action', action: b.action })
  }

  /** The button of `type` on message #ref, or on the latest message that has one. */
  function find(type: Action['type'], ref?: number): number | undefined {
    let best: number | undefined
    for (const [n, b] of buttons) {
      if (b.action.type !== type || b.messageRef === 0) continue
      if (ref !== undefined ? b.messageRef === ref : best === undefined || b.messageRef >= buttons.get(best)!.messageRef) best = n
    }
    return best
  }

  /** `/stock file PATH [shop]`: a stock file on this machine, as a chat member sends one. */
  async function stockFile(path: string, shop: string | undefined): Promise<void> {
    const size = await stat(path).then((x) => (x.isFile() ? x.size : null)).catch(() => null)
    if (size === null) return write(sanitize(view.locale === 'zh-CN' ? `找不到文件 ${path}。` : `There is no file ${path}.`))
    await run({ name: 'stock', file: { filename: basename(path), sizeBytes: size, read: () => readFile(path) }, shop: shop?.trim() || undefined })
  }

  async function handleLine(raw: string): Promise<void> {
    const line = raw.trim()
    if (!line) return
    if (/^\d{1,6}$/.test(line)) return press(Number(line))
    const m = /^(accept|a|接受|同意|reject|r|拒绝)\s*#?(\d+)?$/i.exec(line)
    if (m) {
      const accept = /^(accept|a|接受|同意)$/i.test(m[1])
      const type = accept ? 'cancel.accept' : 'cancel.reject_start'
      const n = find(type, m[2] === undefined ? undefined : Number(m[2]))
      if (n === undefined)
        return write(t().noMessage(view.locale === 'zh-CN' ? (accept ? '接受' : '拒绝') : accept ? 'an Accept' : 'a Reject'))
      return press(n)
    }
    if (/^(quit|exit|退出)$/i.test(line)) return write(t().stopHint)
    const file = /^\/stock\s+(?:file|文件)\s+(?:"([^"]+)"|(\S+))(?:\s+(.+))?$/i.exec(line)
    if (file) return stockFile(resolve(file[1] ?? file[2]!), file[3])
    const parsed = parseTextCommand(line)
    if ('error' in parsed) {
      write(sanitize(view.locale === 'zh-CN' ? parsed.zh : parsed.error))
      return
    }
    await run(parsed)
  }

  let queue: Promise<void> = Promise.resolve()
  const rl: Interface = createInterface({ input: input as NodeJS.ReadableStream, crlfDelay: Infinity, terminal: false })
  rl.on('line', (line) => {
    queue = queue.then(() => handleLine(line)).catch((err) => logger.error('console line failed', { err }))
  })
  write(t().hint)

  return {
    port,
    channel: CONSOLE_CHANNEL,
    actor,
    handleLine: (line) => (queue = queue.then(() => handleLine(line))),
    idle: () => queue,
    async stop() {
      rl.close()
      await queue
    },
  }
}

function safeUserName(): string {
  try {
    return userInfo().username || 'owner'
  } catch {
    return 'owner'
  }
}
