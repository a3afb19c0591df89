/**
 * A small structured logger. Secrets never reach the output: values under sensitive keys are
 * replaced, and every registered secret string is masked wherever it appears.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error'
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }
const SENSITIVE_KEY = /(secret|token|password|authorization|access_token|refresh_token|cookie|api_key|app_key)/i

const secrets = new Set<string>()
/** Register a secret value (a bot token, an app secret…) so it is masked in every log line. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 6) secrets.add(value)
}

export function redact(text: string): string {
  let out = text
  for (const s of secrets) out = out.split(s).join('[redacted]')
  return out
}

function clean(value: unknown, depth = 0): unknown {
  if (depth > 5) return '[…]'
  if (value instanceof Error) return { name: value.name, message: redact(value.message), code: (value as { code?: unknown }).code }
  if (typeof value === 'string') return redact(value)
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = SENSITIVE_KEY.test(k) ? '[redacted]' : clean(v, depth + 1)
    return out
  }
  return value
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  child(fields: Record<string, unknown>): Logger
}

export type LogSink = (line: string) => void

export function createLogger(opts: { level?: Level; sink?: LogSink; base?: Record<string, unknown> } = {}): Logger {
  const min = order[opts.level ?? 'info']
  const sink = opts.sink ?? ((line: string) => process.stderr.write(line + '\n'))
  const base = opts.base ?? {}
  const log = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return
    const rec = clean({ t: new Date().toISOString(), level, msg, ...base, ...fields }) as Record<string, unknown>
    sink(JSON.stringify(rec))
  }
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger({ level: opts.level, sink, base: { ...base, ...fields } }),
  }
}

/** A logger that writes nothing (tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ sink: () => {} })
