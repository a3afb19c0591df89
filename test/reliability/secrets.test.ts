/**
 * Guarantee 9, secrets stay secret: the real app (`src/main.ts`, as `npm start` runs it) is started
 * as a child process with every secret it can hold — SECRET_KEY, the Telegram and Discord bot tokens
 * (against the stand-ins), the shop app secret and the seller's access and refresh tokens (from its
 * simulated shop) — at debug log level, and made to log errors: the chat APIs answer 500 and 429, a
 * forged webhook arrives. Everything it writes to stdout and stderr is scanned for each secret, and
 * so is every row of every table; the stored shop tokens must be ciphertext only.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase, rows, type Database } from '../../db/database.js'
import { shopTokens } from '../../db/schema.js'
import { tokenCipher } from '../../src/shop/crypto.js'
import { startDiscordStandIn } from '../fakes/discord-api.js'
import { FakeTelegram } from '../fakes/telegram-api.js'
import { dbKinds, freshDatabase } from '../support/db.js'
import { startOutageProxy } from './outage-proxy.js'
import { sleep, waitFor } from './support.js'

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
const SECRET_KEY = 'reliability-secret-key-9f3b2c7d1e'

for (const kind of dbKinds) {
  describe(`reliability: secrets never in logs [${kind}]`, () => {
    const cleanup: (() => Promise<void> | void)[] = []
    afterAll(async () => {
      for (const c of cleanup.reverse()) await c()
    })

    it('a run with every secret in use, errors included: no secret in the output or in any table; tokens encrypted at rest', async () => {
      const tg = await FakeTelegram.start('987654321:AAH-reliability_SECRET_bot_token')
      cleanup.push(() => tg.stop())
      // Telegram through a switch that can cut the connection: a network error names the URL, token included
      const tgProxy = await startOutageProxy(tg.apiRoot)
      cleanup.push(() => tgProxy.close())
      const dc = await startDiscordStandIn()
      cleanup.push(() => dc.close())
      const dataDir = mkdtempSync(join(tmpdir(), 'tts-secrets-'))
      cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }))
      let pg: Database | undefined
      if (kind === 'postgres') {
        pg = await freshDatabase('postgres')
        cleanup.push(() => pg!.close())
      }
      // the chat APIs misbehave from the start: errors get logged
      tg.fail({ code: 500, count: 3, methods: ['getUpdates', 'setMyCommands'] })
      tg.fail({ code: 429, retryAfter: 1, count: 2, methods: ['getUpdates'] })
      dc.fail({ status: 500, times: 2, match: (m, p) => m === 'PUT' && p.includes('/commands') })

      const out: string[] = []
      const child = spawn(process.execPath, ['--import', 'tsx', main], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'test',
          LOG_LEVEL: 'debug',
          DATA_DIR: dataDir,
          ...(pg ? { DATABASE_URL: pg.url } : {}),
          SECRET_KEY,
          HTTP_PORT: '0',
          SIMULATOR: 'on',
          SIMULATOR_ORDERS_PER_MINUTE: '120',
          CONSOLE_CHAT: 'off',
          TELEGRAM_BOT_TOKEN: tg.token,
          TELEGRAM_API_ROOT: tgProxy.url,
          DISCORD_TOKEN: dc.token,
          DISCORD_API_URL: dc.apiUrl,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
      cleanup.push(() => void child.kill('SIGKILL'))
      child.stdout!.on('data', (b: Buffer) => out.push(b.toString()))
      child.stderr!.on('data', (b: Buffer) => out.push(b.toString()))
      const text = () => out.join('')

      // running: the http edge is up, the bots connected
      const url = await waitFor(() => /"msg":"http listening".*?"url":"(http:[^"]+)"/.exec(text())?.[1], 120_000, `the app to listen (${text().slice(-2000)})`)
      await waitFor(() => text().includes('"msg":"discord bot ready"'), 120_000, `the Discord bot (${text().slice(-1500)} rest: ${dc.requests.map((r) => r.method + ' ' + r.path + ' ' + r.status).join(', ')} gateway: ${dc.gatewayLog.map((g) => g.op).join(',')})`)
      await waitFor(() => tg.calls.filter((c) => c.method === 'getUpdates').length >= 4, 60_000, `Telegram polling through the failures (${tg.calls.map((c) => c.method).join(' ')})`)
      // a forged webhook, and one with a body that is not JSON
      const forged = await fetch(`${url}/webhooks/tiktok`, { method: 'POST', headers: { authorization: 'f'.repeat(64) }, body: '{"type":1}' })
      expect(forged.status).toBe(401)
      tgProxy.mode = 'drop'
      await waitFor(() => tgProxy.refused >= 1, 30_000, 'a request to the cut-off Telegram API')
      await sleep(1500) // the failure is logged; demo traffic goes on: an order or two, webhooks
      tgProxy.mode = 'up'
      await sleep(500)
      child.kill('SIGTERM')
      expect(await exited).toBe(0)

      // the secrets in use
      const database = pg ?? (await openDatabase({ dataDir }))
      if (!pg) cleanup.push(() => database.close())
      const [grant] = await database.db.select().from(shopTokens)
      expect(grant).toBeDefined()
      const cipher = tokenCipher(SECRET_KEY)
      const accessToken = cipher.decrypt(grant.accessTokenEnc, `shop_tokens:${grant.openId}:access`)
      const refreshToken = cipher.decrypt(grant.refreshTokenEnc, `shop_tokens:${grant.openId}:refresh`)
      const { installationSecret } = await import('../../src/shop/crypto.js')
      const appSecret = `sim-${installationSecret({ secretKey: SECRET_KEY, database: { dataDir } }).slice(0, 24)}`
      const secrets = { SECRET_KEY, telegramToken: tg.token, telegramTokenSecretPart: tg.token.split(':')[1], discordToken: dc.token, appSecret, accessToken, refreshToken }
      for (const [name, value] of Object.entries(secrets)) expect(value.length, name).toBeGreaterThanOrEqual(16)

      // the run really used them
      const output = text()
      expect(output).toMatch(/"level":"(warn|error)"/)
      // …and some log lines carried one, masked (the cut-off Telegram API's error names the token's URL)
      expect(tg.calls.some((c) => c.method === 'getMe')).toBe(true)
      expect(dc.requests.some((r) => r.headers.authorization === `Bot ${dc.token}`)).toBe(true)

      for (const [name, value] of Object.entries(secrets)) expect(output.includes(value), `${name} appears in the output`).toBe(false)
      // at rest: ciphertext only, and no table holds a secret in clear
      expect(grant.accessTokenEnc).not.toContain(accessToken)
      expect(grant.refreshTokenEnc).not.toContain(refreshToken)
      const tables = await rows<{ tablename: string }>(database.db, sql`select tablename from pg_tables where schemaname = 'public'`)
      expect(tables.length).toBeGreaterThan(5)
      for (const { tablename } of tables) {
        const dump = (await rows<{ j: string }>(database.db, sql.raw(`select row_to_json(t)::text as j from "${tablename}" t`))).map((r) => r.j).join('\n')
        for (const [name, value] of Object.entries(secrets)) expect(dump.includes(value), `${name} stored in clear in ${tablename}`).toBe(false)
      }
    }, 300_000)
  })
}
