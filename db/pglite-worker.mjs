// Runs embedded PostgreSQL (PGlite, WebAssembly) in a worker thread and serves it over MessagePorts
// (pglite-session.mjs), so a long query never stalls the main thread's event loop (Discord heartbeat,
// HTTP replies).
// Plain JavaScript on purpose: worker threads start without the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { sessionServer } from './pglite-session.mjs'
import { threadCpuMs } from './thread-cpu.mjs'

// the WebAssembly modules come compiled from the opening thread (database.ts, pgliteModules)
const { dataDir, loadDataDir, pgliteWasmModule, initdbWasmModule } = workerData
const db = await PGlite.create(dataDir, {
  pgliteWasmModule,
  initdbWasmModule,
  // A new WAL segment (every 16 MB written) is not first filled with zeros: PostgreSQL then writes
  // only its last byte, as it does for copy-on-write file systems. The in-memory file system grows a
  // file in many small copies, and on disk the zeros are 16 MB more written: they cost a sync of
  // 10,000 orders about 8 % of its time (paired runs). PGlite runs without fsync (-F) anyway.
  startParams: [...PGlite.defaultStartParams, '-c', 'wal_init_zero=off'],
  ...(loadDataDir ? { loadDataDir: new Blob([loadDataDir]) } : {}),
})
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
