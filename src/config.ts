/**
 * Configuration: the environment (and an optional `.env` file) → one typed, validated object.
 * This is the only module that reads process.env. Every variable is documented in README.md.
 */
import { z } from 'zod'

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v))
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol)
      } catch {
        return false
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}` },
  )
const timeZone = z.string().refine(
  (v) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: v })
      return true
    } catch {
      return false
    }
  },
  { message: 'must be an IANA time zone such as Asia/Shanghai or UTC' },
)
const optional = <T extends z.ZodTypeAny>(t: T) => z.preprocess((v) => (v === '' ? undefined : v), t.optional())
const withDefault = <T extends z.ZodTypeAny>(t: T, d: z.input<T>) =>
  z.preprocess((v) => (v === '' || v === undefined ? d : v), t)

export const envSchema = z.object({
  DATABASE_URL: optional(url(['postgres:', 'postgresql:'])),
  DATA_DIR: withDefault(z.string(), './data'),
  LOG_LEVEL: withDefault(z.enum(['debug', 'info', 'warn', 'error']), 'info'),
  HTTP_HOST: withDefault(z.string(), '127.0.0.1'),
  HTTP_PORT: withDefault(z.coerce.number().int().min(0).max(65535), 8787),
  SECRET_KEY: optional(z.string().min(16, 'must be at least 16 characters')),
  DEFAULT_LOCALE: withDefault(z.enum(['en', 'zh-CN']), 'en'),
  DEFAULT_TIME_ZONE: withDefault(timeZone, 'UTC'),

  TIKTOK_APP_KEY: optional(z.string().min(1)),
  TIKTOK_APP_SECRET: optional(z.string().min(1)),
  TIKTOK_SERVICE_ID: optional(z.string().min(1)),
  TIKTOK_API_BASE_URL: withDefault(url(['https:', 'http:']), 'https://open-api.tiktokglobalshop.com'),
  TIKTOK_AUTH_BASE_URL: withDefault(url(['https:', 'http:']), 'https://auth.tiktok-shops.com'),
  SYNC_CRON: withDefault(z.string(), '*/5 * * * *'),

  /** Run the built-in shop simulator (default: on when no TikTok app is configured). */
  SIMULATOR: optional(bool),
  SIMULATOR_PORT: withDefault(z.coerce.number().int().min(0).max(65535), 0),
  SIMULATOR_ORDERS_PER_MINUTE: withDefault(z.coerce.number().min(0).max(600), 3),

  /** The terminal chat (default: on when stdin is a terminal and no chat token is set). */
  CONSOLE_CHAT: optional(bool),

  DISCORD_TOKEN: optional(z.string().min(10, 'looks too short for a bot token')),
  DISCORD_API_URL: optional(url(['https:', 'http:'])),
  DISCORD_OPERATOR_ROLE: optional(z.string().min(1)),

  TELEGRAM_BOT_TOKEN: optional(z.string().regex(/^\d+:[\w-]+$/, 'must look like 123456:ABC-DEF…')),
  TELEGRAM_API_ROOT: withDefault(url(['https:', 'http:']), 'https://api.telegram.org'),
  TELEGRAM_WEBHOOK_URL: optional(url(['https:', 'http:'])),
  TELEGRAM_WEBHOOK_SECRET: optional(z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'only A-Z, a-z, 0-9, _ and -')),
})

export type Env = z.infer<typeof envSchema>

export interface Config {
  env: Env
  database: { url?: string; dataDir: string }
  logLevel: Env['LOG_LEVEL']
  http: { host: string; port: number }
  secretKey?: string
  defaults: { locale: Env['DEFAULT_LOCALE']; timeZone: string }
  tiktok?: { appKey: string; appSecret: string; serviceId?: string; apiBaseUrl: string; authBaseUrl: string }
  syncCron: string
  simulator: { enabled: boolean; port: number; ordersPerMinute: number }
  consoleChat?: boolean
  discord?: { token: string; apiUrl?: string; operatorRole?: string }
  telegram?: { token: string; apiRoot: string; webhookUrl?: string; webhookSecret?: string }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'))
    this.name = 'ConfigError'
  }
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0] ?? 'config')}: ${i.message}`)
    throw new ConfigError(problems)
  }
  const e = parsed.data
  const problems: string[] = []
  if (Boolean(e.TIKTOK_APP_KEY) !== Boolean(e.TIKTOK_APP_SECRET))
    problems.push('TIKTOK_APP_KEY / TIKTOK_APP_SECRET: set both or neither')
  if (e.TIKTOK_APP_KEY && !e.SECRET_KEY)
    problems.push('SECRET_KEY: required when TIKTOK_APP_KEY is set (it encrypts shop tokens at rest)')
  if (e.TELEGRAM_WEBHOOK_URL && !e.TELEGRAM_BOT_TOKEN)
    problems.push('TELEGRAM_WEBHOOK_URL: needs TELEGRAM_BOT_TOKEN')
  try {
    cronFieldsOk(e.SYNC_CRON)
  } catch (err) {
    problems.push(`SYNC_CRON: ${(err as Error).message}`)
  }
  if (problems.length) throw new ConfigError(problems)

  const tiktok = e.TIKTOK_APP_KEY
    ? {
        appKey: e.TIKTOK_APP_KEY,
        appSecret: e.TIKTOK_APP_SECRET!,
        serviceId: e.TIKTOK_SERVICE_ID,
        apiBaseUrl: e.TIKTOK_API_BASE_URL,
        authBaseUrl: e.TIKTOK_AUTH_BASE_URL,
      }
    : undefined
  return {
    env: e,
    database: { url: e.DATABASE_URL, dataDir: e.DATA_DIR },
    logLevel: e.LOG_LEVEL,
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    secretKey: e.SECRET_KEY,
    defaults: { locale: e.DEFAULT_LOCALE, timeZone: e.DEFAULT_TIME_ZONE },
    tiktok,
    syncCron: e.SYNC_CRON,
    simulator: { enabled: e.SIMULATOR ?? !tiktok, port: e.SIMULATOR_PORT, ordersPerMinute: e.SIMULATOR_ORDERS_PER_MINUTE },
    consoleChat: e.CONSOLE_CHAT,
    discord: e.DISCORD_TOKEN
      ? { token: e.DISCORD_TOKEN, apiUrl: e.DISCORD_API_URL, operatorRole: e.DISCORD_OPERATOR_ROLE }
      : undefined,
    telegram: e.TELEGRAM_BOT_TOKEN
      ? {
          token: e.TELEGRAM_BOT_TOKEN,
          apiRoot: e.TELEGRAM_API_ROOT,
          webhookUrl: e.TELEGRAM_WEBHOOK_URL,
          webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
        }
      : undefined,
  }
}

function cronFieldsOk(expr: string): void {
  const n = expr.trim().split(/\s+/).length
  if (n !== 5 && n !== 6) throw new Error('must be a cron expression with 5 or 6 fields, e.g. */5 * * * *')
}
