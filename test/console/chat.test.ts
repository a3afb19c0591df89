/**
 * The terminal chat against a scripted assistant (the core's own interface, recorded): what is
 * typed becomes the right Command, numbers press the right button, edits retire old buttons.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { startConsoleChat, type ConsoleChat } from '../../bots/console/index.js'
import type { Assistant, ChannelInfo, ChannelRef, Actor, Command, Reply } from '../../src/assistant/types.js'
import { message } from '../../src/notifications/message.js'
import { choiceReply } from '../../src/assistant/replies.js'

const channel: ChannelInfo = { id: 1, platform: 'console', externalId: 'terminal', locale: 'en', timeZone: 'Europe/London' }

function setup(replyFor: (c: Command) => Reply = () => ({ ok: true, message: message({ kind: 'reply', title: 'done' }) })) {
  const calls: { ref: ChannelRef; actor: Actor; command: Command }[] = []
  const assistant: Assistant = {
    async handle(ref, actor, command) {
      calls.push({ ref, actor, command })
      return replyFor(command)
    },
  }
  const input = new PassThrough()
  const output = new PassThrough()
  let text = ''
  output.on('data', (d) => (text += d.toString()))
  const outDir = mkdtempSync(join(tmpdir(), 'console-files-'))
  const chat = startConsoleChat({ assistant, input, output, outDir, user: { userId: 'owner', displayName: 'Owner' } })
  const type = async (line: string) => {
    input.write(line + '\n')
    await new Promise((r) => setImmediate(r))
    await chat.idle()
  }
  return { chat, calls, type, out: () => text, outDir }
}

const request = (cancelId: string) =>
  message({
    kind: 'cancel_request',
    title: `Cancellation request ${cancelId}`,
    buttons: [
      [
        { label: 'Accept', action: { type: 'cancel.accept', cancelId } },
        { label: 'Reject', action: { type: 'cancel.reject_start', cancelId } },
      ],
    ],
  })

describe('console chat', () => {
  let chat: ConsoleChat | undefined
  afterEach(async () => {
    await chat?.stop()
  })

  it('parses slash commands with the shared parser; the user is the console owner', async () => {
    const s = setup()
    chat = s.chat
    await s.type('/orders awaiting')
    await s.type('/order 576653688135258178')
    await s.type('/export status=shipped format=xlsx')
    await s.type('late')
    expect(s.calls.map((c) => c.command)).toEqual([
      { name: 'orders', status: 'awaiting' },
      { name: 'order', orderId: '576653688135258178' },
      { name: 'export', args: { status: 'shipped', format: 'xlsx' } },
      { name: 'late' },
    ])
    expect(s.calls[0].ref).toMatchObject({ platform: 'console', externalId: 'terminal' })
    expect(s.calls[0].actor).toEqual({ platform: 'console', userId: 'owner', displayName: 'Owner' })
    await s.type('/frobnicate')
    expect(s.out()).toMatch(/Unknown command .?\/frobnicate/)
    expect(s.calls).toHaveLength(4)
  })

  it('numbers buttons across messages; a number, or accept/reject N, presses them', async () => {
    const s = setup()
    chat = s.chat
    const a = await s.chat.port.post(channel, request('111'))
    const b = await s.chat.port.post(channel, request('222'))
    expect(a.messageId).not.toBe(b.messageId)
    expect(s.out()).toContain('── #1 ')
    expect(s.out()).toContain('[1] Accept  [2] Reject')
    expect(s.out()).toContain('[3] Accept  [4] Reject')
    await s.type('4')
    await s.type('accept 1')
    await s.type('accept') // the latest message with an Accept
    await s.type('r #1')
    expect(s.calls.map((c) => c.command)).toEqual([
      { name: 'action', action: { type: 'cancel.reject_start', cancelId: '222' } },
      { name: 'action', action: { type: 'cancel.accept', cancelId: '111' } },
      { name: 'action', action: { type: 'cancel.accept', cancelId: '222' } },
      { name: 'action', action: { type: 'cancel.reject_start', cancelId: '111' } },
    ])
    await s.type('99')
    expect(s.out()).toContain('There is no button [99]')
  })

  it('an edit replaces the message and retires its old buttons', async () => {
    const s = setup()
    chat = s.chat
    const { messageId } = await s.chat.port.post(channel, request('333'))
    await s.chat.port.edit(channel, messageId, message({ kind: 'outcome', tone: 'success', title: 'Accepted by Owner' }))
    expect(s.out()).toMatch(/── #1 \(updated\) ─+\n✔ Accepted by Owner/)
    await s.type('1')
    await s.type('accept')
    expect(s.calls).toHaveLength(0)
    expect(s.out()).toContain('No cancellation request is waiting for an Accept')
  })

  it('shows reply choices as numbers that press their action, and keeps reply files', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'console-src-')), 'x.csv')
    writeFileSync(file, 'a,b\n1,2\n')
    const s = setup((c) =>
      c.name === 'action' && c.action.type === 'cancel.reject_start'
        ? {
            ok: true,
            message: message({ kind: 'reply', title: 'Why reject?' }),
            choices: {
              prompt: 'Pick a reason:',
              options: [
                { label: 'Already packed', action: { type: 'cancel.reject', cancelId: c.action.cancelId, reason: 0 } },
                { label: 'Buyer agreed', action: { type: 'cancel.reject', cancelId: c.action.cancelId, reason: 1 } },
              ],
            },
          }
        : c.name === 'export'
          ? { ok: true, message: message({ kind: 'reply', title: 'Export ready' }), files: [{ path: file, filename: 'orders.csv', mime: 'text/csv', sizeBytes: 8 }] }
          : c.name === 'help'
            ? choiceReply('Why do you cancel order 1?', [{ label: 'Out of stock', action: { type: 'order.cancel', orderId: '1', reason: 0 } }])
            : { ok: true, message: message({ kind: 'reply', title: 'ok' }) },
    )
    chat = s.chat
    await s.chat.port.post(channel, request('444'))
    await s.type('reject')
    expect(s.out()).toContain('Pick a reason:\n[3] Already packed\n[4] Buyer agreed')
    await s.type('4')
    expect(s.calls.at(-1)!.command).toEqual({ name: 'action', action: { type: 'cancel.reject', cancelId: '444', reason: 1 } })
    // a prompt that is the message's title is shown once
    await s.type('/help')
    expect(s.out().split('Why do you cancel order 1?')).toHaveLength(2)
    expect(s.out()).toMatch(/Why do you cancel order 1\?\n\[\d+\] Out of stock/)
    await s.type('/export')
    const saved = /File saved: (.+)/.exec(s.out())![1]
    expect(saved.startsWith(s.outDir)).toBe(true)
    expect(readFileSync(saved, 'utf8')).toBe('a,b\n1,2\n')
    expect(existsSync(file)).toBe(false)
  })

  it('answers in the channel language once it is known', async () => {
    const s = setup(() => ({ ok: true, message: message({ kind: 'reply', title: '好' }), channel: { ...channel, locale: 'zh-CN' } }))
    chat = s.chat
    await s.type('/help')
    await s.type('/nope')
    expect(s.out()).toContain('未知命令')
  })
})
