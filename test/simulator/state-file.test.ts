/** The simulated shop is kept between runs in a file: saved on close (its folder made if need be), read back on start. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/shared/clock.js'
import { startSimulator } from '../../src/shop/simulator/index.js'

describe('simulator state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-state-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('saves into a folder not made yet, and the next start holds the same orders', async () => {
    const statePath = join(dir, 'data', 'not-yet', 'simulator.json')
    const clock = new ManualClock('2026-11-20T12:00:00Z')
    const first = await startSimulator({ appKey: 'k', appSecret: 's', clock, seed: 1, statePath, tickMs: false })
    first.generateOrders({ count: 25, days: 5, seed: 4 })
    const ids = Object.keys(first.snapshot().orders).sort()
    await first.close()
    const again = await startSimulator({ appKey: 'k', appSecret: 's', clock, seed: 1, statePath, tickMs: false })
    try {
      expect(ids).toHaveLength(25)
      expect(Object.keys(again.snapshot().orders).sort()).toEqual(ids)
    } finally {
      await again.close()
    }
  })
})
