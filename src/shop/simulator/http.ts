/** HTTP plumbing of the simulator: reading bodies, the response envelope, request ids. */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SimError } from './errors.js'

const MAX_BODY = 2 * 1024 * 1024

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new SimError(413, 36009001, 'Request body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

export const requestId = () => new Date().toISOString().replace(/\D/g, '').slice(0, 14) + randomBytes(10).toString('hex').toUpperCase()

export function sendEnvelope(
  res: ServerResponse,
  httpStatus: number,
  env: { code: number; message: string; data: unknown; request_id: string },
): void {
  const body = JSON.stringify({ code: env.code, message: env.message, request_id: env.request_id, data: env.data })
  res.writeHead(httpStatus, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/** Parses a JSON object body; empty → {}. */
export function jsonBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {}
  let v: unknown
  try {
    v = JSON.parse(raw.toString('utf8'))
  } catch {
    throw new SimError(400, 36009001, 'Invalid params: the body is not valid JSON')
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SimError(400, 36009001, 'Invalid params: the body must be a JSON object')
  return v as Record<string, unknown>
}
