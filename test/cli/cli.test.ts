/**
 * The CLI end to end on an embedded database in a temp folder: usage errors exit 2 with one line;
 * demo-data fills the database through the simulator and the real sync; shop list, link-code,
 * stock set / import / export, migrate and doctor work and say what is wrong.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as XLSX from '@e965/xlsx'
import { runCli } from '../../src/cli/main.js'

describe('npm run cli', () => {
  let dir: string
  let env: Record<string, string>
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-test-'))
    env = { DATA_DIR: join(dir, 'data'), SECRET_KEY: 'cli-test-secret-key-0123456789', LOG_LEVEL: 'error' }
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const run = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(args, { env: { ...env, ...extraEnv }, out: (l) => out.push(l), err: (l) => err.push(l) })
    return { code, out, err }
  }

  it('unknown command, unknown or missing flags, bad values → one line, exit 2', async () => {
    for (const args of [['frobnicate'], ['sync', '--nope'], ['link-code'], ['stock', 'set', '--shop', 'x', '--sku', 'A', '--qty', '-3'], ['demo-data', '--orders', 'lots'], ['shop', 'dance']]) {
      const r = await run(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.err, args.join(' ')).toHaveLength(1)
      expect(r.out).toHaveLength(0)
    }
    const cfg = await run(['shop', 'list'], { HTTP_PORT: 'abc' })
    expect(cfg.code).toBe(2)
    expect(cfg.err[0]).toMatch(/HTTP_PORT/)
  }, 60_000)

  it('migrate, demo-data, shop list, link-code, stock set and import, doctor', async () => {
    // a new database: doctor names the migrations to apply and the command that applies them
    const fresh = await run(['doctor'], { DATA_DIR: join(dir, 'fresh') })
    expect(fresh.code).toBe(1)
    expect(fresh.out.join('\n')).toMatch(/PROBLEM  database reachable \(pglite\), but (\d+) of its \1 migrations are not applied \(0000_init, .*\) — run: npm run cli -- migrate/)
    expect((await run(['migrate'])).code).toBe(0)
    const demo = await run(['demo-data', '--orders', '40', '--days', '5', '--seed', '3'])
    expect(demo.err).toEqual([])
    expect(demo.code).toBe(0)
    expect(demo.out.join('\n')).toMatch(/synced shop \d+: 40 orders/)
    const list = await run(['shop', 'list'])
    expect(list.code).toBe(0)
    const shopId = list.out[0].split(/\s+/)[0]
    expect(list.out[0]).toMatch(/40 orders/)
    const link = await run(['link-code', '--shop', shopId])
    expect(link.code).toBe(0)
    expect(link.out[0]).toMatch(/^[A-Z0-9]{10}$/)
    const set = await run(['stock', 'set', '--shop', shopId, '--sku', 'CASE-BLK', '--qty', '7'])
    expect(set.code).toBe(0)
    expect(set.out[0]).toMatch(/CASE-BLK.*→ 7/)
    // the open orders whose cover it moved are checked again (demo orders are history: never posted, nothing to edit)
    expect(set.out.slice(1)).toEqual([expect.stringMatching(/^open orders whose stock cover changed: [1-9]\d*$/), expect.stringMatching(/^checked again: \d+ with every item in stock, \d+ not \(an item short or without stock recorded\); no posts of theirs in the chats to edit$/)])
    const csv = join(dir, 'stock.csv')
    writeFileSync(csv, 'seller_sku,quantity\ncase-blk,9\nMUG-350,3\n')
    const imp = await run(['stock', 'import', '--shop', shopId, '--file', csv])
    expect(imp.code).toBe(0)
    expect(imp.out[0]).toMatch(/2 SKUs/)
    // a SKU the shop has in another letter case is stored as the shop's, and said so
    expect(imp.out[1]).toBe("line 2: case-blk is the shop's CASE-BLK (another letter case): stored as CASE-BLK")
    // the stock sheet, written and read back unchanged
    const sheet = join(dir, 'stock.xlsx')
    const exported = await run(['stock', 'export', '--shop', shopId, '--out', sheet])
    expect(exported.code).toBe(0)
    expect(exported.out[0]).toMatch(/^wrote \d+ SKUs to .*stock\.xlsx: change the quantity column, then npm run cli -- stock import --shop \d+ --file .*stock\.xlsx$/)
    const rows = XLSX.utils.sheet_to_json<unknown[]>(XLSX.read(readFileSync(sheet)).Sheets.Stock, { header: 1, defval: '' })
    expect(rows[0]).toEqual(['seller_sku', 'quantity', 'product', 'reserved', 'available'])
    expect(rows).toContainEqual(expect.arrayContaining(['CASE-BLK', 9]))
    const back = await run(['stock', 'import', '--shop', shopId, '--file', sheet])
    expect(back.out[0]).toMatch(/^imported stock for \d+ SKUs/)
    expect(back.out.join('\n')).not.toContain('open orders whose stock cover changed')
    expect((await run(['stock', 'export', '--shop', shopId, '--out', join(dir, 'stock.pdf')])).code).toBe(2)
    const unknown = await run(['stock', 'set', '--shop', '000', '--sku', 'A', '--qty', '1'])
    expect(unknown.code).toBe(2)
    const doc = await run(['doctor'])
    expect(doc.code).toBe(0)
    expect(doc.out.at(-1)).toBe('all good')
    expect(doc.out.join('\n')).toMatch(/ok       database reachable \(pglite\), schema up to date \(\d+ migrations\), 1 shop\(s\)/)
    // with another SECRET_KEY the stored tokens cannot be read: doctor says so and exits 1
    const wrongKey = await run(['doctor'], { SECRET_KEY: 'another-secret-key-0123456789' })
    expect(wrongKey.code).toBe(1)
    expect(wrongKey.out.join('\n')).toMatch(/PROBLEM .*SECRET_KEY/)
    // a sync without a TikTok app says what to set
    const sync = await run(['sync'])
    expect(sync.code).toBe(2)
    expect(sync.err[0]).toMatch(/TIKTOK_APP_KEY/)
  }, 300_000)
})
