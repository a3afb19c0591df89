/**
 * `doctor`: checks the configuration, the database, the shop tokens, the sync and webhook backlog and
 * the chat tokens, and says what is wrong and what to do. Exit 1 when anything is wrong.
 */
import { sql } from 'drizzle-orm'
import { rows } from '../../db/database.js'
import { pendingMigrations } from '../../db/migrate.js'
import { shopTokens } from '../../db/schema.js'
import { tokenCipherFor } from '../shop/crypto.js'
import { tokenProblems } from '../shop/tokens.js'
import { webhookBacklog } from '../shop/webhooks.js'
import type { CliContext } from './context.js'
import { parseFlags } from './args.js'

async function probe(url: string, init: RequestInit): Promise<{ status: number; body: unknown } | { error: string }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(8_000) })
    let body: unknown = null
    try {
      body = await res.json()
    } catch {
      body = null
    }
    return { status: res.status, body }
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } }
    return { error: e.name === 'TimeoutError' ? 'no answer within 8 s' : (e.cause?.code ?? e.message) }
  }
}

export async function doctorCommand(argv: string[], ctx: CliContext): Promise<number> {
  parseFlags(argv, {}, 'usage: doctor')
  const problems: string[] = []
  const ok = (line: string) => ctx.out(`ok       ${line}`)
  const bad = (line: string) => {
    problems.push(line)
    ctx.out(`PROBLEM  ${line}`)
  }
  const { config } = ctx
  const { db } = ctx.database

  ok(`configuration read (${config.tiktok ? 'TikTok app ' + config.tiktok.appKey.slice(0, 4) + '…' : 'no TikTok app: the simulator stands in'})`)

  // database: reachable, then its schema up to date
  try {
    await db.execute(sql`select 1`)
  } catch (err) {
    bad(`database unreachable (${ctx.database.kind}): ${(err as Error).message} — check DATABASE_URL / DATA_DIR`)
    ctx.out(`${problems.length} problem(s)`)
    return 1
  }
  const { total, pending } = await pendingMigrations(ctx.database)
  if (pending.length) {
    bad(`database reachable (${ctx.database.kind}), but ${pending.length} of its ${total} migrations are not applied (${pending.join(', ')}) — run: npm run cli -- migrate`)
    ctx.out(`${problems.length} problem(s)`)
    return 1
  }
  const [{ n }] = await rows<{ n: string }>(db, sql`select count(*) as n from shops`)
  ok(`database reachable (${ctx.database.kind}), schema up to date (${total} migrations), ${n} shop(s)`)

  // shop tokens
  try {
    const cipher = tokenCipherFor(config)
    const toks = await db.select({ openId: shopTokens.openId, enc: shopTokens.accessTokenEnc }).from(shopTokens)
    let readable = 0
    for (const t of toks) {
      try {
        cipher.decrypt(t.enc, `shop_tokens:${t.openId}:access`)
        readable++
      } catch (err) {
        bad(`seller ${t.openId}: ${(err as Error).message}`)
      }
    }
    if (toks.length) ok(`${readable} of ${toks.length} stored seller token(s) decrypt with this SECRET_KEY`)
  } catch (err) {
    bad((err as Error).message)
  }
  const now = ctx.clock.now()
  for (const p of await tokenProblems(db, now)) bad(p)
  if (config.tiktok) {
    const [{ n }] = await rows<{ n: string }>(db, sql`select count(*) as n from shops where source = 'tiktok' and authorized`)
    if (Number(n) === 0) bad('no TikTok shop is connected: run npm run cli -- shop auth-url, authorize, then the callback (or shop connect --code AUTH_CODE) connects it')
    else ok(`${n} TikTok shop(s) connected`)
  }

  // sync and webhooks
  const failing = await rows<{ shop_id: string; kind: string; last_error: string }>(db, sql`select shop_id, kind, last_error from sync_state where last_error is not null`)
  for (const f of failing) bad(`sync of shop ${f.shop_id} (${f.kind}) last failed: ${f.last_error} — run npm run cli -- sync --shop ${f.shop_id} to retry`)
  const backlog = await webhookBacklog(db)
  if (backlog.failing) bad(`${backlog.failing} webhook event(s) keep failing to process (see webhook_events.last_error)`)
  else ok(`webhooks: ${backlog.pending} waiting to be processed`)

  // chat tokens
  if (config.discord) {
    const api = (config.discord.apiUrl ?? 'https://discord.com/api').replace(/\/+$/, '')
    const r = await probe(`${api}/v10/users/@me`, { headers: { authorization: `Bot ${config.discord.token}` } })
    if ('error' in r) bad(`Discord: cannot reach ${api} (${r.error})`)
    else if (r.status === 401) bad('Discord: DISCORD_TOKEN is not accepted (401): copy the bot token again from the Developer Portal')
    else if (r.status !== 200) bad(`Discord: unexpected HTTP ${r.status} from /users/@me`)
    else ok(`Discord bot token works (${(r.body as { username?: string })?.username ?? 'bot'})`)
  }
  if (config.telegram) {
    const root = config.telegram.apiRoot.replace(/\/+$/, '')
    const r = await probe(`${root}/bot${config.telegram.token}/getMe`, {})
    if ('error' in r) bad(`Telegram: cannot reach ${root} (${r.error})`)
    else if (r.status === 401 || r.status === 404) bad('Telegram: TELEGRAM_BOT_TOKEN is not accepted: copy it again from @BotFather')
    else if (r.status !== 200 || !(r.body as { ok?: boolean })?.ok) bad(`Telegram: unexpected HTTP ${r.status} from getMe`)
    else ok(`Telegram bot token works (@${(r.body as { result?: { username?: string } })?.result?.username ?? 'bot'})`)
  }
  if (!config.discord && !config.telegram) ok('no chat token set: npm start uses the terminal chat')

  ctx.out(problems.length ? `${problems.length} problem(s)` : 'all good')
  return problems.length ? 1 : 0
}
