/**
 * Guarantee 3, a crash loses nothing and repeats nothing: a child process takes in a burst of 1,000
 * orders and delivers their messages (crash-child.ts: the real ingest → outbox → dispatcher path on
 * PostgreSQL, the real Telegram and Discord ports), and is killed with SIGKILL twice in the middle.
 * Each restart re-delivers the whole burst (as webhook retries and the pull sync do).
 *
 * What must hold afterwards: 1,000 order rows; 2,000 outbox rows, all sent; on Discord every order
 * exactly once (the post carries a nonce derived from its content, so a post whose answer was lost in
 * the crash returns the first message instead of a second one); on Telegram every order at least
 * once and at most one extra message per kill (Telegram has no idempotency key: a message the API
 * accepted just before the kill, not yet marked sent, is sent again once its lease ends).
 *
 * On PostgreSQL the test process watches the same database. On PGlite the child keeps its embedded
 * database in a data folder on disk (as `npm start` does), so a kill also tests that PGlite recovers
 * its files; the test opens the folder after the child is done, and the burst is smaller (PGlite is
 * slower) with one kill.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Database } from '../../db/database.js'
import { applyMigrations } from '../../db/migrate.js'
import { orders, outbox } from '../../db/schema.js'
import { startDiscordStandIn, type DiscordStandIn } from '../fakes/discord-api.js'
import { FakeTelegram } from '../fakes/telegram-api.js'
import { describeEachDb } from '../support/db.js'
import { seedShop } from '../support/fixtures.js'
import { followingChannel, waitFor } from './support.js'

/** the burst (RELIABILITY_CRASH_ORDERS overrides it, e.g. on a slow machine) */
const ORDERS = Number(process.env.RELIABILITY_CRASH_ORDERS ?? 1000)
const GROUP = -1007300000001
const PREFIX = '583'
const orderId = (i: number) => `${PREFIX}${String(i).padStart(6, '0')}`
const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url))

describeEachDb('reliability: crash during a burst', (get, kind) => {
  const orders_ = kind === 'postgres' ? ORDERS : Math.min(ORDERS, 200)
  const kills = kind === 'postgres' ? [0.15, 0.5] : [0.3]
  let dataDir: string | undefined
  let tg: FakeTelegram
  let dc: DiscordStandIn
  let shopId: string
  let channelIds: number[] = []
  const running = new Set<ChildProcess>()

  beforeAll(async () => {
    let db = get().db
    let setup: Database | undefined
    if (kind === 'pglite') {
      dataDir = mkdtempSync(join(tmpdir(), 'tts-crash-'))
      setup = await openDatabase({ dataDir })
      await applyMigrations(setup)
      db = setup.db
    }
    shopId = (await seedShop(db)).id
    tg = await FakeTelegram.start()
    tg.addChat({ id: GROUP })
    dc = await startDiscordStandIn()
    channelIds = [
      await followingChannel(db, { platform: 'telegram', externalId: String(GROUP), shopId }),
      await followingChannel(db, { platform: 'discord', externalId: dc.channelId, shopId }),
    ]
    await setup?.close()
  }, 60_000)
  afterAll(async () => {
    for (const c of running) c.kill('SIGKILL')
    await dc?.close()
    await tg?.stop()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  function start(): { proc: ChildProcess; exited: Promise<number | null>; out: string[] } {
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      env: {
        ...process.env,
        ...(dataDir ? { DATA_DIR: dataDir } : { DATABASE_URL: get().url! }),
        SHOP_ID: shopId,
        ORDER_PREFIX: PREFIX,
        ORDERS: String(orders_),
        TG_TOKEN: tg.token,
        TG_API_ROOT: tg.apiRoot,
        DC_TOKEN: dc.token,
        DC_API_URL: dc.apiUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    running.add(proc)
    const out: string[] = []
    proc.stdout!.on('data', (b: Buffer) => out.push(b.toString()))
    proc.stderr!.on('data', (b: Buffer) => out.push(b.toString()))
    const exited = new Promise<number | null>((resolve) =>
      proc.once('exit', (code) => {
        running.delete(proc)
        resolve(code)
      }),
    )
    return { proc, exited, out }
  }

  const discordPosts = () => dc.channelMessages().filter((m) => !m.deleted)
  const telegramPosts = () => tg.sent(GROUP)
  const idsIn = (texts: string[]) => {
    const counts = new Map<string, number>()
    for (const t of texts) {
      const m = t.match(new RegExp(`${PREFIX}\\d{6}`))
      if (m) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1)
    }
    return counts
  }

  it(`SIGKILL during a burst of ${kind === 'postgres' ? ORDERS : Math.min(ORDERS, 200)} orders, restart → nothing lost, nothing twice`, async () => {
    const ORDERS = orders_
    let killed = 0
    for (const fraction of kills) {
      const run = start()
      let exitedEarly = false
      void run.exited.then(() => (exitedEarly = true))
      await waitFor(() => exitedEarly || discordPosts().length >= ORDERS * fraction, 240_000, `${Math.round(fraction * 100)}% of the messages (${run.out.join('')})`)
      expect(exitedEarly, `the child ended before it could be killed: ${run.out.join('')}`).toBe(false)
      run.proc.kill('SIGKILL')
      expect(await run.exited).toBeNull()
      killed++
    }
    const last = start()
    const code = await Promise.race([last.exited, new Promise((r) => setTimeout(() => r('timeout'), 300_000))])
    expect(code, last.out.join('')).toBe(0)
    const reopened = dataDir ? await openDatabase({ dataDir }) : undefined
    const db = reopened?.db ?? get().db
    try {

    expect(await db.$count(orders, eq(orders.shopId, shopId))).toBe(ORDERS)
    for (const ch of channelIds) {
      expect(await db.$count(outbox, eq(outbox.channelId, ch))).toBe(ORDERS)
      expect(await db.$count(outbox, and(eq(outbox.channelId, ch), eq(outbox.status, 'sent')))).toBe(ORDERS)
    }
    const onDiscord = idsIn(discordPosts().map((m) => JSON.stringify(m.api.embeds ?? m.api)))
    const onTelegram = idsIn(telegramPosts().map((m) => m.text ?? ''))
    for (let i = 0; i < ORDERS; i++) {
      expect(onDiscord.get(orderId(i)), `Discord, order ${i}`).toBe(1)
      expect(onTelegram.get(orderId(i)) ?? 0, `Telegram, order ${i}`).toBeGreaterThanOrEqual(1)
    }
    expect(discordPosts()).toHaveLength(ORDERS)
    const telegramExtra = telegramPosts().length - ORDERS
    expect(telegramExtra).toBeLessThanOrEqual(killed)
    } finally {
      await reopened?.close()
    }
  }, 900_000)
})
