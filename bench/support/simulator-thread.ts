/**
 * The shop simulator in a worker thread of its own, for benchmarks that compare against fetching:
 * the real platform is another machine, so its work (building pages of orders) must not run on the
 * thread whose work is measured. The worker answers a few calls over postMessage.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import type { GenerateOptions } from '../../src/shop/simulator/generator.js'
import { startSimulator } from '../../src/shop/simulator/index.js'
import { threadCpuMs } from '../../db/thread-cpu.mjs'

type Op = { op: 'createAuthCode' } | { op: 'generateOrders'; opts: GenerateOptions } | { op: 'setLatency'; ms: number } | { op: 'cpu' } | { op: 'close' }
type Call = Op & { id: number }

export interface SimulatorThread {
  baseUrl: string
  authBaseUrl: string
  createAuthCode(): Promise<string>
  generateOrders(opts: GenerateOptions): Promise<number>
  /** answer each API call this many ms late (0: at once) */
  setLatency(ms: number): Promise<void>
  /** the simulator thread's CPU time so far (ms) */
  cpuMs(): Promise<number>
  close(): Promise<void>
}

export async function startSimulatorThread(opts: { appKey: string; appSecret: string; seed: number }): Promise<SimulatorThread> {
  // a plain .mjs entry registers tsx in the worker, then loads this file there
  const worker = new Worker(new URL('./simulator-thread-entry.mjs', import.meta.url), { workerData: { ...opts, module: import.meta.url } })
  const waiting = new Map<number, (v: unknown) => void>()
  let seq = 0
  const ready = new Promise<{ baseUrl: string; authBaseUrl: string }>((resolve, reject) => {
    worker.once('error', reject)
    worker.on('message', (m: { id?: number; ready?: { baseUrl: string; authBaseUrl: string }; result?: unknown }) => {
      if (m.ready) resolve(m.ready)
      else if (m.id !== undefined) waiting.get(m.id)?.(m.result)
    })
  })
  const call = (c: Op) =>
    new Promise<unknown>((resolve) => {
      const id = ++seq
      waiting.set(id, resolve)
      worker.postMessage({ ...c, id })
    })
  const urls = await ready
  return {
    ...urls,
    createAuthCode: () => call({ op: 'createAuthCode' }) as Promise<string>,
    generateOrders: (g) => call({ op: 'generateOrders', opts: g }) as Promise<number>,
    setLatency: async (ms) => void (await call({ op: 'setLatency', ms })),
    cpuMs: () => call({ op: 'cpu' }) as Promise<number>,
    async close() {
      await call({ op: 'close' })
      await worker.terminate()
    },
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort
  const { appKey, appSecret, seed } = workerData as { appKey: string; appSecret: string; seed: number }
  const sim = await startSimulator({ appKey, appSecret, seed, tickMs: false })
  port.on('message', async (c: Call) => {
    const result =
      c.op === 'createAuthCode'
        ? sim.createAuthCode()
        : c.op === 'generateOrders'
          ? sim.generateOrders(c.opts).length
          : c.op === 'setLatency'
            ? sim.setLatency(c.ms)
            : c.op === 'cpu'
              ? threadCpuMs()
              : await sim.close()
    port.postMessage({ id: c.id, result })
  })
  port.postMessage({ ready: { baseUrl: sim.baseUrl, authBaseUrl: sim.authBaseUrl } })
}
