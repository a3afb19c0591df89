/**
 * The entry point as a process: bad configuration → one line per problem and exit 2; a running
 * assistant answers /healthz and stops cleanly (exit 0) on SIGTERM and SIGINT.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { describeEachDb } from '../support/db.js'

const root = resolve(import.meta.dirname, '../..')

function run(env: Record<string, string>) {
  // node itself (not the tsx wrapper process), so the signal reaches the app's own handlers
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  return { child, exited, out: () => out, err: () => err }
}

describe('main: configuration errors', () => {
  it('prints one line per problem and exits 2', async () => {
    const p = run({ HTTP_PORT: 'abc', DEFAULT_TIME_ZONE: 'Mars/Base', DATA_DIR: 'memory://' })
    expect(await p.exited).toBe(2)
    const lines = p.err().trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^config error: HTTP_PORT: /)
    expect(lines[1]).toMatch(/^config error: DEFAULT_TIME_ZONE: must be an IANA time zone/)
  }, 60_000)

  it('cross-field problems too', async () => {
    const p = run({ TIKTOK_APP_KEY: 'only-the-key', DATA_DIR: 'memory://' })
    expect(await p.exited).toBe(2)
    expect(p.err()).toContain('config error: TIKTOK_APP_KEY / TIKTOK_APP_SECRET: set both or neither')
  }, 60_000)
})

describeEachDb('main: runs and stops cleanly', (get, kind) => {
  const dirs: string[] = []
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  // a fresh embedded database costs an initdb per process: one signal there, both on PostgreSQL
  for (const signal of kind === 'pglite' ? (['SIGTERM'] as const) : (['SIGTERM', 'SIGINT'] as const)) {
    it(`answers /healthz, then stops on ${signal} with exit 0`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'main-test-'))
      dirs.push(dir)
      const env: Record<string, string> = {
        DATA_DIR: dir,
        HTTP_PORT: '0',
        CONSOLE_CHAT: 'off',
        SIMULATOR_ORDERS_PER_MINUTE: '0',
        SECRET_KEY: 'main-test-secret-0123456789',
        LOG_LEVEL: 'warn',
      }
      if (kind === 'postgres') env.DATABASE_URL = get().url!
      const p = run(env)
      const banner = await new Promise<RegExpExecArray>((ok, fail) => {
        const timer = setInterval(() => {
          const m = /assistant running: HTTP (http:\/\/[^\s]+)/.exec(p.err())
          if (m) {
            clearInterval(timer)
            ok(m)
          }
        }, 50)
        void p.exited.then((code) => {
          clearInterval(timer)
          fail(new Error(`exited ${code}: ${p.err()}`))
        })
      })
      // the embedded database may be busy with the first sync for a moment (healthz allows it 3 s)
      let health = await fetch(`${banner[1]}/healthz`)
      for (let i = 0; i < 20 && health.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 1000))
        health = await fetch(`${banner[1]}/healthz`)
      }
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({ ok: true, database: 'up' })
      p.child.kill(signal)
      expect(await p.exited).toBe(0)
      expect(p.err()).not.toMatch(/stop failed|error/i)
    }, 150_000)
  }
})
