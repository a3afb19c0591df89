/**
 * A socket for postgres.js (its `socket` option) that reaches the embedded database's worker thread
 * over a MessagePort instead of TCP: what the driver writes is handed to the worker (pglite-session.mjs
 * serves it), what the database answers is read back. Between two threads of one process this skips
 * the kernel's loopback and its copies; the wire protocol and the driver stay exactly as with a server.
 */
import { Duplex } from 'node:stream'
import type { MessagePort } from 'node:worker_threads'

export class PortSocket extends Duplex {
  #port: MessagePort
  #ended = false

  constructor(port: MessagePort) {
    // not half-open: when the worker ends the session, the socket closes, as a server's would
    super({ allowHalfOpen: false })
    this.#port = port
    port.on('message', (chunk: Uint8Array) => {
      this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    })
    // the worker ended the session (Terminate, or it could not go on): no more bytes come
    port.on('close', () => this.#end())
  }

  #end(): void {
    if (this.#ended) return
    this.#ended = true
    this.push(null)
  }

  /** 'open' until the socket is destroyed, as postgres.js reads it from a net.Socket */
  get readyState(): 'open' | 'closed' {
    return this.destroyed ? 'closed' : 'open'
  }

  override _read(): void {
    // bytes are pushed as they arrive
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    // a small Buffer is a view of a shared pool, which must not be handed over: a copy (one memcpy, no kernel)
    const copy = new Uint8Array(chunk)
    this.#port.postMessage(copy, [copy.buffer])
    done()
  }

  override _writev(chunks: { chunk: Buffer }[], done: (error?: Error | null) => void): void {
    // not Buffer.concat: its result may be a view of the shared pool too, whose memory the transfer would take
    const total = chunks.reduce((n, c) => n + c.chunk.length, 0)
    const copy = new Uint8Array(total)
    let at = 0
    for (const { chunk } of chunks) {
      copy.set(chunk, at)
      at += chunk.length
    }
    this.#port.postMessage(copy, [copy.buffer])
    done()
  }

  override _final(done: (error?: Error | null) => void): void {
    if (!this.#ended) this.#port.postMessage(null)
    this.#end()
    done()
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#port.close()
    done(error)
  }
}
