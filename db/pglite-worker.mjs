// Runs embedded PostgreSQL (PGlite, WebAssembly) in a worker thread and serves it over MessagePorts
// (pglite-session.mjs), so a long query never stalls the main thread's event loop (Discord heartbeat,
// HTTP replies).
// Plain JavaScript on purpose: worker threads start without the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { sessionServer } from './pglite-session.mjs'
import { threadCpuMs } from './thread-cpu.mjs'

const { dataDir, loadDataDir } = workerData
const db = await PGlite.create(dataDir, loadDataDir ? { loadDataDir: new Blob([loadDataDir]) } : {})
const sessions = sessionServer(db)
parentPort.postMessage({ type: 'ready' })

parentPort.on('message', async (msg) => {
  try {
    if (msg.type === 'connect') {
      sessions.serve(msg.port)
    } else if (msg.type === 'dump') {
      const blob = await db.dumpDataDir('none')
      const buf = new Uint8Array(await blob.arrayBuffer())
      parentPort.postMessage({ type: 'dump', id: msg.id, data: buf }, [buf.buffer])
    } else if (msg.type === 'cpu') {
      parentPort.postMessage({ type: 'cpu', id: msg.id, data: threadCpuMs() })
    } else if (msg.type === 'close') {
      await db.close()
      parentPort.postMessage({ type: 'closed', id: msg.id })
    }
  } catch (err) {
    parentPort.postMessage({ type: 'error', id: msg.id, message: String(err?.message ?? err) })
  }
})
