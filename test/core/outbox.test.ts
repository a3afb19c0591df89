import { eq } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { channels, chatMessages, outbox } from '../../db/schema.js'
import { ChatPermanentError, ChatRetryAfter } from '../../src/notifications/chat-port.js'
import { createDispatcher } from '../../src/notifications/dispatcher.js'
import { message } from '../../src/notifications/message.js'
import { enqueue } from '../../src/notifications/outbox.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import { describeEachDb } from '../support/db.js'
import { uniqueId } from '../support/fixtures.js'
import { RecordingChat } from './support.js'

const msg = (title: string) => message({ kind: 'test', title })

describeEachDb('outbox and dispatcher', (get) => {
  async function newChannel() {
    const [c] = await get().db.insert(channels).values({ platform: 'telegram', externalId: uniqueId('-100') }).returning()
    return c.id
  }

  it('enqueue is idempotent by dedupe key, and posts then edits in order, finding the posted message', async () => {
    const { db } = get()
    const ch = await newChannel()
    const clock = new ManualClock()
    const k = uniqueId('k')
    await db.transaction(async (tx) => {
      expect(await enqueue(tx, { channelId: ch, dedupeKey: `${k}:post`, kind: 'post', refKey: `cancel:${k}`, payload: msg('request') })).not.toBeNull()
      expect(await enqueue(tx, { channelId: ch, dedupeKey: `${k}:post`, kind: 'post', refKey: `cancel:${k}`, payload: msg('request again') })).toBeNull()
      await enqueue(tx, { channelId: ch, dedupeKey: `${k}:edit`, kind: 'edit', refKey: `cancel:${k}`, payload: msg('decided') })
    })
    const chat = new RecordingChat()
    const d = createDispatcher({ db, ports: [chat], clock, logger: silentLogger })
    expect(await d.drainOnce()).toBe(2)
    const mine = chat.sent.filter((s) => s.channelId === ch)
    expect(mine.map((s) => [s.op, s.msg.title])).toEqual([
      ['post', 'request'],
      ['edit', 'decided'],
    ])
    expect(mine[1].messageId).toBe(mine[0].messageId)
    const [cm] = await db.select().from(chatMessages).where(eq(chatMessages.refKey, `cancel:${k}`))
    expect(cm.platformMessageId).toBe(mine[0].messageId)
    expect(await d.drainOnce()).toBe(0)
  })

  it('keeps per-channel order through retry-after and back-off, and gives up on a permanent error', async () => {
    const { db } = get()
    const ch = await newChannel()
    const other = await newChannel()
    const clock = new ManualClock()
    await db.transaction(async (tx) => {
      for (let i = 1; i <= 3; i++) await enqueue(tx, { channelId: ch, dedupeKey: uniqueId(`o${i}`), kind: 'post', payload: msg(`m${i}`) })
      await enqueue(tx, { channelId: other, dedupeKey: uniqueId('x'), kind: 'post', payload: msg('other') })
    })
    const chat = new RecordingChat()
    let calls = 0
    chat.fail = (_op, c, m) => {
      if (c.id !== ch) return null
      calls++
      if (m.title === 'm1' && calls === 1) return new ChatRetryAfter(5000)
      if (m.title === 'm1' && calls === 2) return new Error('socket hang up')
      if (m.title === 'm2') return new ChatPermanentError('bot was kicked')
      return null
    }
    const d = createDispatcher({ db, ports: [chat], clock, logger: silentLogger, baseBackoffMs: 1000 })
    await d.drainOnce()
    expect(chat.sent.map((s) => s.msg.title)).toEqual(['other']) // m1 waits 5 s; m2, m3 wait behind it
    clock.advance(4000)
    await d.drainOnce()
    expect(calls).toBe(1)
    clock.advance(1000)
    await d.drainOnce() // m1 fails with a transient error → back-off 2 s (second attempt)
    expect(calls).toBe(2)
    clock.advance(2000)
    await d.drainOnce()
    expect(chat.sent.filter((s) => s.channelId === ch).map((s) => s.msg.title)).toEqual(['m1', 'm3'])
    const rows = await db.select().from(outbox).where(eq(outbox.channelId, ch)).orderBy(outbox.id)
    expect(rows.map((r) => r.status)).toEqual(['sent', 'failed', 'sent'])
    expect(rows[1].lastError).toBe('bot was kicked')
  })

  it('rows pending at a stop, and one in flight when a process died, are delivered once after a new dispatcher starts', async () => {
    const { db } = get()
    const ch = await newChannel()
    const clock = new ManualClock()
    const keys = Array.from({ length: 5 }, (_, i) => uniqueId(`r${i}`))
    await db.transaction(async (tx) => {
      for (const [i, k] of keys.entries()) await enqueue(tx, { channelId: ch, dedupeKey: k, kind: 'post', payload: msg(`n${i}`) })
    })
    // A first dispatcher claims the head row and "dies" mid-send (its lease stays in the table).
    const hung = new RecordingChat()
    let release!: () => void
    hung.post = () => new Promise(() => { release = () => {} }) as never
    const d1 = createDispatcher({ db, ports: [hung], clock, logger: silentLogger, leaseMs: 30_000 })
    void d1.drainOnce()
    await new Promise((r) => setTimeout(r, 300))
    const [head] = await db.select().from(outbox).where(eq(outbox.dedupeKey, keys[0]))
    expect(head.status).toBe('sending')
    void release

    // A new process starts: nothing is sent before the lease ends, then every row exactly once, in order.
    const chat = new RecordingChat()
    const d2 = createDispatcher({ db, ports: [chat], clock, logger: silentLogger, leaseMs: 30_000 })
    await d2.drainOnce()
    expect(chat.sent.filter((s) => s.channelId === ch)).toHaveLength(0)
    clock.advance(30_001)
    await d2.drainOnce()
    await d2.drainOnce()
    expect(chat.sent.filter((s) => s.channelId === ch).map((s) => s.msg.title)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4'])
    const d3 = createDispatcher({ db, ports: [chat], clock, logger: silentLogger })
    d3.start()
    await d3.drainOnce()
    await d3.stop()
    expect(chat.sent.filter((s) => s.channelId === ch)).toHaveLength(5)
  })

  it('two dispatchers draining together send each row once', async () => {
    const { db } = get()
    const chs = [await newChannel(), await newChannel(), await newChannel()]
    const clock = new ManualClock()
    await db.transaction(async (tx) => {
      for (let i = 0; i < 30; i++) await enqueue(tx, { channelId: chs[i % 3], dedupeKey: uniqueId('t'), kind: 'post', payload: msg(`p${i}`) })
    })
    const chat = new RecordingChat()
    const a = createDispatcher({ db, ports: [chat], clock, logger: silentLogger })
    const b = createDispatcher({ db, ports: [chat], clock, logger: silentLogger })
    await Promise.all([a.drainOnce(), b.drainOnce(), a.drainOnce(), b.drainOnce()])
    await a.drainOnce()
    const mine = chat.sent.filter((s) => chs.includes(s.channelId))
    expect(mine).toHaveLength(30)
    expect(new Set(mine.map((s) => s.msg.title)).size).toBe(30)
    for (const c of chs) {
      const titles = mine.filter((s) => s.channelId === c).map((s) => Number(s.msg.title.slice(1)))
      expect(titles).toEqual([...titles].sort((x, y) => x - y))
    }
  })
})
