// Runs embedded PostgreSQL (PGlite, WebAssembly) in a worker thread and serves it over a local
// socket, so a long query never stalls the main thread's event loop (Discord heartbeat, HTTP replies).
// Plain JavaScript on purpose: worker threads start without the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { threadCpuMs } from './thread-cpu.mjs'

const { dataDir, loadDataDir } = workerData
const db = await PGlite.create(dataDir, loadDataDir ? { loadDataDir: new Blob([loadDataDir]) } : {})
const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' })
await server.start()
const { port } = server.server.address()
parentPort.postMessage({ type: 'ready', port })

parentPort.on('message', async (msg) => {
  try {
    if (msg.type === 'dump') {
      const blob = await db.dumpDataDir('none')
      const buf = new Uint8Array(await blob.arrayBuffer())
      parentPort.postMessage({ type: 'dump', id: msg.id, data: buf }, [buf.buffer])
    } else if (msg.type === 'cpu') {
      parentPort.postMessage({ type: 'cpu', id: msg.id, data: threadCpuMs() })
    } else if (msg.type === 'close') {
      await server.stop()
      await db.close()
      parentPort.postMessage({ type: 'closed', id: msg.id })
    }
  } catch (err) {
    parentPort.postMessage({ type: 'error', id: msg.id, message: String(err?.message ?? err) })
  }
})
