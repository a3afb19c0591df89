/**
 * `npm start` with no accounts, end to end: the app with the simulator and the terminal chat bound
 * to streams. A new order and a buyer's cancellation request reach the terminal (webhooks → core →
 * outbox → console); typing "accept" reaches the simulator over the signed API, which cancels the order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { silentLogger } from '../../src/shared/logger.js'
import { describeEachDb } from '../support/db.js'

async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v as NonNullable<T>
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describeEachDb('the app with the simulator and the terminal chat', (get) => {
  let app: App
  const input = new PassThrough()
  const output = new PassThrough()
  let screen = ''
  const outDir = mkdtempSync(join(tmpdir(), 'app-test-files-'))
  output.on('data', (d) => (screen += d.toString()))

  beforeAll(async () => {
    const config = loadConfig({
      DATA_DIR: 'memory://',
      HTTP_PORT: '0',
      SIMULATOR: 'on',
      CONSOLE_CHAT: 'on',
      SECRET_KEY: 'test-secret-key-0123456789',
    })
    app = await startApp(config, {
      database: get(),
      logger: silentLogger,
      console: { input, output, color: false, outDir },
      simulator: { demo: false, history: false, persist: false, webhookRetryDelaysMs: [200, 500, 1000] },
    })
    await app.ready
  }, 60_000)
  afterAll(async () => {
    await app?.stop()
    rmSync(outDir, { recursive: true, force: true })
  }, 30_000)

  it('links the terminal to the simulated shop on first start', async () => {
    await waitFor('the link reply', () => screen.includes('Linked to Demo Shop'))
    expect(screen).toContain('You are its admin')
  })

  it('shows a new order and a cancellation request; accepting it cancels the order in the simulator', async () => {
    const sim = app.simulator!
    const rec = sim.state.createOrder({ shippingType: 'TIKTOK', items: [{ sellerSku: 'CASE-BLK', qty: 2 }] })
    const id = rec.o.id
    await waitFor('the new order', () => screen.includes(`New order ${id}`))
    const c = sim.state.buyerRequestCancel(id)
    const shown: RegExpExecArray = await waitFor('the request with its buttons', () =>
      new RegExp(`Cancellation request for order ${id}[\\s\\S]*?\\[(\\d+)\\] Accept  \\[(\\d+)\\] Reject`).exec(screen) ?? undefined,
    )
    expect(Number(shown[1])).toBeGreaterThan(0)
    // the webhooks came signed and were taken once each
    expect(sim.webhooks.log.filter((d) => d.state === 'delivered').length).toBe(sim.webhooks.log.length)

    input.write('accept\n')
    await waitFor('the simulator to cancel the order', () => sim.state.order(id).o.status === 'CANCELLED')
    expect(sim.state.cancellation(c.cancel_id).cancel_status).toMatch(/^CANCELLATION_REQUEST_(SUCCESS|COMPLETE)$/)
    expect(sim.state.order(id).o.cancellation_initiator).toBe('BUYER')
    const approve = sim.requests.filter((r) => r.path.endsWith(`/cancellations/${c.cancel_id}/approve`))
    expect(approve.map((r) => [r.httpStatus, r.code])).toEqual([[200, 0]])
    expect(approve[0].query.shop_cipher).toBe(sim.shop.cipher)
    expect(approve[0].hadAccessTokenHeader).toBe(true)
    // the request message is edited to show the outcome, without buttons
    await waitFor('the edited request', () => /\(updated\)[^\n]*\n[^\n]*(Accepted|accepted)/.test(screen))
    // pressing again finds nothing to press: the buttons are gone
    input.write(`${shown[1]}\n`)
    await waitFor('the answer to a stale press', () => screen.includes(`There is no button [${shown[1]}]`))
    expect(sim.requests.filter((r) => r.path.endsWith(`/cancellations/${c.cancel_id}/approve`))).toHaveLength(1)
  })

  it('answers slash commands from the terminal with the real core', async () => {
    input.write('/orders\n')
    await waitFor('the order list', () => /Recent orders/.test(screen))
    input.write('/help\n')
    await waitFor('the help', () => screen.includes('Your role here: admin'))
    input.write('/export status=all format=csv\n')
    const saved = await waitFor('the export file', () => /File saved: (.+\.(csv|zip))/.exec(screen) ?? undefined)
    expect(saved[1]).toMatch(/orders/i)
    input.write('/late\n')
    await waitFor('the late view', () => /late|overdue|due/i.test(screen.slice(screen.lastIndexOf('File saved'))))
  })

  it('imports a stock file from this machine: /stock file PATH', async () => {
    const path = join(outDir, 'stock count 11-27.csv')
    writeFileSync(path, 'seller_sku,quantity\nTOTE-BLU,31\n')
    input.write(`/stock file "${path}"\n`)
    await waitFor('the import reply', () => screen.includes('Stock imported from stock count 11-27.csv. SKUs in it: 1; changed: 1.'))
    input.write('/stock TOTE-BLU\n')
    await waitFor('the SKU view', () => /TOTE-BLU: 31 on hand/.test(screen))
    input.write(`/stock file ${join(outDir, 'nope.csv')}\n`)
    await waitFor('the missing file', () => screen.includes(`There is no file ${join(outDir, 'nope.csv')}.`))
  })
})
