/**
 * The embedded database's sessions (db/pglite-session.mjs): the wire protocol's bytes arrive over a
 * MessagePort in whatever pieces the client sends, and each session is served as a server would.
 * Driven here by hand, byte for byte, against a real PGlite (the migrated test template); the whole
 * suite drives it through postgres.js (db/port-socket.ts) on every PGlite test.
 */
import { readFileSync } from 'node:fs'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { PortSocket } from '../../db/port-socket.js'
// @ts-expect-error plain JavaScript module of the worker (no declarations)
import { sessionServer } from '../../db/pglite-session.mjs'

const enc = new TextEncoder()
const cstr = (s: string) => [...enc.encode(s), 0]

function startup(): Uint8Array {
  const body = [...cstr('user'), ...cstr('postgres'), ...cstr('database'), ...cstr('postgres'), 0]
  const out = new Uint8Array(8 + body.length)
  new DataView(out.buffer).setInt32(0, out.length)
  new DataView(out.buffer).setInt32(4, 196608)
  out.set(body, 8)
  return out
}

/** A startup-phase request: its length (8 or 16), then its code, then `rest` */
function request(code: number, rest: number[] = []): Uint8Array {
  const out = new Uint8Array(8 + rest.length * 4)
  const v = new DataView(out.buffer)
  v.setInt32(0, out.length)
  v.setInt32(4, code)
  rest.forEach((n, i) => v.setInt32(8 + i * 4, n))
  return out
}

function message(type: string, body: number[]): Uint8Array {
  const out = new Uint8Array(5 + body.length)
  out[0] = type.charCodeAt(0)
  new DataView(out.buffer).setInt32(1, 4 + body.length)
  out.set(body, 5)
  return out
}

const query = (text: string) => message('Q', cstr(text))
const terminate = () => message('X', [])
/** Parse of a named statement (no parameter types given), Close of one, and Sync */
const parse = (name: string, text: string) => message('P', [...cstr(name), ...cstr(text), 0, 0])
const close = (name: string) => message('C', [0x53, ...cstr(name)])
const sync = () => message('S', [])
const joined = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]))

interface Answer {
  rows: string[][]
  errors: string[]
  /** the ReadyForQuery status: I idle, T in a transaction, E in a failed transaction */
  status: string
}

/** A client end of a session: sends bytes, and reads the answers up to each ReadyForQuery. */
class Client {
  private buf = new Uint8Array(0)
  private answers: Answer[] = []
  private waiting: ((a: Answer) => void) | null = null
  private answer: Answer = { rows: [], errors: [], status: '' }
  readonly closed: Promise<void>

  constructor(readonly port: MessagePort) {
    this.closed = new Promise<void>((ok) => port.once('close', () => ok()))
    port.on('message', (chunk: Uint8Array) => this.take(chunk))
  }

  /** Sends the bytes in pieces of `pieceBytes`; answers the next answer. */
  send(bytes: Uint8Array, pieceBytes = bytes.length): Promise<Answer> {
    for (let at = 0; at < bytes.length; at += pieceBytes) this.port.postMessage(bytes.slice(at, at + pieceBytes))
    return this.next()
  }

  /** Sends Terminate; the session closes its port. */
  async end(): Promise<void> {
    this.port.postMessage(terminate())
    await this.closed
  }

  next(): Promise<Answer> {
    const a = this.answers.shift()
    return a ? Promise.resolve(a) : new Promise((ok) => (this.waiting = ok))
  }

  private take(chunk: Uint8Array) {
    const all = new Uint8Array(this.buf.length + chunk.length)
    all.set(this.buf)
    all.set(chunk, this.buf.length)
    const view = new DataView(all.buffer)
    let at = 0
    while (at + 5 <= all.length) {
      const len = 1 + view.getInt32(at + 1)
      if (at + len > all.length) break
      const type = String.fromCharCode(all[at])
      const body = all.subarray(at + 5, at + len)
      if (type === 'D') {
        const cells: string[] = []
        let p = 2
        for (let i = 0; i < new DataView(body.buffer, body.byteOffset).getInt16(0); i++) {
          const n = new DataView(body.buffer, body.byteOffset + p).getInt32(0)
          cells.push(new TextDecoder().decode(body.subarray(p + 4, p + 4 + n)))
          p += 4 + n
        }
        this.answer.rows.push(cells)
      } else if (type === 'E') {
        const fields = new TextDecoder().decode(body).split('\0')
        this.answer.errors.push(fields.find((f) => f.startsWith('M'))!.slice(1))
      } else if (type === 'Z') {
        this.answer.status = String.fromCharCode(body[0])
        const a = this.answer
        this.answer = { rows: [], errors: [], status: '' }
        const w = this.waiting
        this.waiting = null
        if (w) w(a)
        else this.answers.push(a)
      }
      at += len
    }
    this.buf = all.slice(at)
  }
}

describe('embedded database sessions over a MessagePort', () => {
  let db: PGlite
  let sessions: { serve(port: MessagePort): void }
  beforeAll(async () => {
    db = await PGlite.create('memory://', { loadDataDir: new Blob([readFileSync(inject('pgliteTemplate'))]) })
    sessions = sessionServer(db)
  })
  afterAll(async () => {
    await db.close()
  })

  const open = () => {
    const { port1, port2 } = new MessageChannel()
    sessions.serve(port2)
    return new Client(port1)
  }

  it('answers messages cut into one-byte pieces, and several sent in one piece, as a server does', async () => {
    const c = open()
    expect((await c.send(startup(), 1)).status).toBe('I')
    const one = await c.send(query("select 40 + 2 as n, 'snow ☃ 雪' as t"), 1)
    expect(one).toEqual({ rows: [['42', 'snow ☃ 雪']], errors: [], status: 'I' })
    // a query that fails, then one that works, in a single piece
    const pair = new Uint8Array([...query('select nope'), ...query('select 7')])
    const first = await c.send(pair)
    expect(first.errors).toEqual(['column "nope" does not exist'])
    const second = await c.next()
    expect(second).toEqual({ rows: [['7']], errors: [], status: 'I' })
    await c.end()
  })

  it('rolls back what a client left open when it went away, for the next session', async () => {
    const a = open()
    await a.send(startup())
    expect((await a.send(query('begin; create table left_open (id int); insert into left_open values (1)'))).status).toBe('T')
    a.port.close()
    await a.closed
    const b = open()
    await b.send(startup())
    const after = await b.send(query('select count(*) from left_open'))
    expect(after.errors).toEqual(['relation "left_open" does not exist'])
    expect(after.status).toBe('I')
    await b.end()
  })

  it("runs another session's statements only once the open transaction has ended", async () => {
    const a = open()
    await a.send(startup())
    expect((await a.send(query('begin; create table waits_for_a (id int); insert into waits_for_a values (1)'))).status).toBe('T')
    const order: string[] = []
    const b = open()
    const bReady = b.send(startup()).then((r) => (order.push('b started'), r))
    // time enough for b to start were it not held back (PGlite would run it inside a's transaction)
    await new Promise((ok) => setTimeout(ok, 200))
    expect((await a.send(query('commit'))).status).toBe('I')
    order.push('a committed')
    expect((await bReady).status).toBe('I')
    expect(order).toEqual(['a committed', 'b started'])
    expect((await b.send(query('select count(*) from waits_for_a'))).rows).toEqual([['1']])
    await a.end()
    await b.end()
  })

  it('forgets the statements a session prepared by name once it ends, and only its own', async () => {
    const a = open()
    const b = open()
    await a.send(startup())
    await b.send(startup())
    const prepared = async () => (await b.send(query('select name from pg_prepared_statements order by name'))).rows.flat()
    const one = await a.send(joined(parse('a_kept', 'select 1'), parse('a_closed', 'select 2'), close('a_closed'), parse('', 'select 3'), sync()))
    expect(one).toEqual({ rows: [], errors: [], status: 'I' })
    await b.send(joined(parse('b_own', 'select 4'), sync()))
    expect(await prepared()).toEqual(['a_kept', 'b_own'])
    // ended with Terminate
    await a.end()
    await vi.waitFor(async () => expect(await prepared()).toEqual(['b_own']))
    // gone without a word (its port closed), in the middle of a transaction
    const c = open()
    await c.send(startup())
    await c.send(joined(parse('c_gone', 'select 5'), sync()))
    expect((await c.send(query('begin'))).status).toBe('T')
    c.port.close()
    await c.closed
    await vi.waitFor(async () => expect(await prepared()).toEqual(['b_own']))
    await b.end()
  })

  it('declines TLS before the startup message, and ends a session that asks to cancel', async () => {
    const { port1, port2 } = new MessageChannel()
    sessions.serve(port2)
    const first = new Promise<Uint8Array>((ok) => port1.once('message', ok))
    port1.postMessage(request(80877103))
    expect([...(await first)]).toEqual([0x4e]) // 'N': no TLS, go on in the clear
    const c = new Client(port1)
    expect((await c.send(startup())).status).toBe('I')
    expect((await c.send(query('select 1'))).rows).toEqual([['1']])
    await c.end()

    const cancel = open()
    cancel.port.postMessage(request(80877102, [1, 2]))
    await cancel.closed
  })

  it("the driver's socket hands over what it writes, reads what comes, and closes when the session ends", async () => {
    const { port1, port2 } = new MessageChannel()
    const socket = new PortSocket(port1)
    expect(socket.readyState).toBe('open')
    const got = new Promise<Uint8Array>((ok) => port2.once('message', ok))
    socket.write(Buffer.from('abc'))
    expect(Buffer.from(await got).toString()).toBe('abc')
    const read = new Promise<Buffer>((ok) => socket.once('data', ok))
    port2.postMessage(new Uint8Array([1, 2, 3]))
    expect([...(await read)]).toEqual([1, 2, 3])
    const closed = new Promise<void>((ok) => socket.once('close', () => ok()))
    port2.close() // the worker ended the session
    await closed
    expect(socket.readyState).toBe('closed')
  })
})
