// One client session of the embedded database, in its worker thread: the bytes of the PostgreSQL wire
// protocol come in over a MessagePort (from db/port-socket.ts), are cut into whole messages, and are
// run by PGlite in arrival order; its answers go back over the port. No TCP between two threads of one
// process: each chunk is handed over, not copied through the kernel. Plain JavaScript on purpose: the
// worker starts without the TypeScript loader.

/** protocol version 3.0, the second word of a startup message (which has no type byte) */
const PROTOCOL_3 = 196608
/** the second word of an SSLRequest, which may come before the startup message */
const SSL_REQUEST = 80877103
/** the Terminate message's type byte ('X') */
const TERMINATE = 0x58

/**
 * The sessions of one PGlite. It is one backend: while a session's transaction is open, another
 * session's statements would run inside it, so they wait until that transaction ends (or its session
 * does: the transaction is then rolled back). `serve(port)` serves one session on a MessagePort; it
 * ends when the client sends Terminate or closes its port.
 */
export function sessionServer(db) {
  let owner = null // the session whose transaction is open
  let freed = () => {}
  let released = Promise.resolve() // resolves when that transaction ends

  /** Runs protocol messages for session `me`, in turn with the other sessions; the answers go to `onRawData`. */
  async function exec(me, messages, onRawData) {
    for (;;) {
      while (owner && owner !== me) await released
      const ran = await db.runExclusive(async () => {
        // another session waiting here may have begun a transaction first
        if (owner && owner !== me) return false
        try {
          await db.execProtocolRawStream(messages, { onRawData })
        } finally {
          if (!db.isInTransaction()) release(me)
          else if (!owner) {
            owner = me
            released = new Promise((ok) => (freed = ok))
          }
        }
        return true
      })
      if (ran) return
    }
  }

  function release(me) {
    if (owner !== me) return
    owner = null
    freed()
  }

  /**
   * A session gone in the middle of its transaction leaves nothing half-done behind it, nor the
   * statements it prepared by name (the backend outlives the session): they are closed, in turn with
   * the other sessions' statements.
   */
  async function leave(me, statements) {
    if (owner === me) {
      await db.exec('ROLLBACK').catch(() => {})
      release(me)
    }
    if (statements.size) await exec(me, closeStatements(statements), () => {}).catch(() => {})
  }

  return { serve: (port) => serveSession(port, exec, leave) }
}

function serveSession(port, exec, leave) {
  let pending = [] // chunks received and not yet run
  let pendingBytes = 0
  let started = false // the startup message has been run
  let ended = false
  let busy = false
  const me = {}
  /** the statements this session has prepared by name (Parse) and not closed (Close) */
  const statements = new Set()

  const send = (bytes) => {
    if (ended || !bytes.length) return
    const copy = new Uint8Array(bytes) // PGlite reuses its buffer: hand over a copy
    port.postMessage(copy, [copy.buffer])
  }

  const end = async () => {
    if (ended) return
    ended = true
    port.close()
    await leave(me, statements)
  }

  /** The whole messages at the head of the received bytes, as one array (and the rest kept). */
  const takeWhole = () => {
    const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes)
    const view = new DataView(all.buffer, all.byteOffset, all.byteLength)
    let at = 0
    let terminate = false
    if (!started) {
      // the startup message: its length, then the protocol version; run on its own
      if (all.length < 8) return { whole: null, terminate }
      const len = view.getInt32(0)
      const code = view.getInt32(4)
      if (code === SSL_REQUEST) {
        // no TLS between two threads: 'N', and the client goes on in the clear
        send(new Uint8Array([0x4e]))
        pending = all.length > 8 ? [all.subarray(8)] : []
        pendingBytes = all.length - 8
        return { whole: null, terminate, again: true }
      }
      // a CancelRequest (one session cannot cancel its own query) or anything else: the session ends
      if (code !== PROTOCOL_3) return { whole: null, terminate: true }
      if (all.length < len) return { whole: null, terminate }
      at = len
    } else {
      while (at + 5 <= all.length) {
        if (all[at] === TERMINATE) {
          terminate = true
          break
        }
        const len = 1 + view.getInt32(at + 1)
        if (at + len > all.length) break
        noteStatement(statements, all, at, len)
        at += len
      }
    }
    const rest = terminate ? new Uint8Array(0) : all.subarray(at)
    pending = rest.length ? [rest] : []
    pendingBytes = rest.length
    return { whole: at ? all.subarray(0, at) : null, terminate }
  }

  const pump = async () => {
    if (busy) return
    busy = true
    try {
      while (!ended && pendingBytes) {
        const { whole, terminate, again } = takeWhole()
        if (whole) {
          await exec(me, whole, send)
          started = true
        }
        if (terminate) return void (await end())
        if (!whole && !again) break
      }
    } catch (err) {
      // PGlite answers a failing statement itself; reaching here means the session cannot go on
      send(errorMessage(String(err?.message ?? err)))
      await end()
    } finally {
      busy = false
    }
  }

  port.on('message', (chunk) => {
    if (ended) return
    if (chunk === null) return void end() // the client closed its side
    pending.push(chunk)
    pendingBytes += chunk.length
    void pump()
  })
  port.on('close', () => void end())
}

const PARSE = 0x50 // 'P'
const CLOSE = 0x43 // 'C'
const STATEMENT = 0x53 // 'S': what a Close closes (or a Sync's type byte)
const SYNC = new Uint8Array([STATEMENT, 0, 0, 0, 4])

/** Keeps `statements` up to date with the message at `at`: a named Parse adds its name, a Close of a statement takes it away. */
function noteStatement(statements, bytes, at, len) {
  const type = bytes[at]
  if (type !== PARSE && !(type === CLOSE && bytes[at + 5] === STATEMENT)) return
  const from = type === PARSE ? at + 5 : at + 6
  const nul = bytes.indexOf(0, from)
  if (nul < from || nul >= at + len) return
  const name = decoder.decode(bytes.subarray(from, nul))
  if (!name) return // the unnamed statement: each Parse replaces it
  if (type === PARSE) statements.add(name)
  else statements.delete(name)
}

/** Close messages for these statements, then Sync (closing a statement that is gone is no error). */
function closeStatements(names) {
  const parts = []
  for (const name of names) {
    const body = encoder.encode(name)
    const out = new Uint8Array(7 + body.length)
    out[0] = CLOSE
    new DataView(out.buffer).setInt32(1, 6 + body.length)
    out[5] = STATEMENT
    out.set(body, 6)
    parts.push(out)
  }
  parts.push(SYNC)
  return Buffer.concat(parts)
}

const decoder = new TextDecoder()
const encoder = new TextEncoder()

/** An ErrorResponse (FATAL, 08006 connection_failure) with this message. */
function errorMessage(text) {
  const fields = [
    [0x53, 'FATAL'],
    [0x56, 'FATAL'],
    [0x43, '08006'],
    [0x4d, text],
  ]
  const body = fields.map(([k, v]) => [k, ...encoder.encode(v), 0]).flat()
  body.push(0)
  const out = new Uint8Array(5 + body.length)
  out[0] = 0x45
  new DataView(out.buffer).setInt32(1, 4 + body.length)
  out.set(body, 5)
  return out
}
