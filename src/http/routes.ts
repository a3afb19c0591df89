/**
 * The routes of the inbound HTTP edge:
 *   POST /webhooks/tiktok          verify → store once → 200 at once; processing is kicked after the answer
 *   GET  /oauth/tiktok/callback    ?code&state → connectShop (the same path as `shop connect --code`)
 *   GET  /healthz                  200 {"ok":true,"database":"up"} or 503 when the database is unreachable
 */
import { sql } from 'drizzle-orm'
import type { Db } from '../../db/database.js'
import type { Clock } from '../shared/clock.js'
import { isAppError } from '../shared/errors.js'
import type { Logger } from '../shared/logger.js'
import { checkOAuthState } from '../shop/tiktok/authorize.js'
import type { ConnectResult } from '../shop/tokens.js'
import { receiveWebhook, type WebhookReceiveDeps } from '../shop/webhooks.js'
import { json, type HttpResponse, type Route } from './server.js'

export function tiktokWebhookRoute(deps: WebhookReceiveDeps & { onStored?: () => void; maxBodyBytes?: number }): Route {
  return {
    method: 'POST',
    path: '/webhooks/tiktok',
    maxBodyBytes: deps.maxBodyBytes ?? 1024 * 1024,
    async handle(req) {
      const auth = req.headers.authorization
      const r = await receiveWebhook(deps, req.body, Array.isArray(auth) ? auth[0] : auth)
      if (r.status !== 200) {
        deps.logger.warn('webhook refused', { status: r.status, reason: r.message })
        return json(r.status, { error: r.message })
      }
      // TikTok wants a 200 with an empty body within 3 s
      return { status: 200, body: '', after: r.stored ? deps.onStored : undefined }
    },
  }
}

export interface OAuthCallbackDeps {
  clock: Clock
  logger: Logger
  stateSecret: string
  connectShop(code: string, actor?: string): Promise<ConnectResult>
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

function page(status: number, title: string, lines: string[]): HttpResponse {
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${lines
    .map((l) => `<p>${esc(l)}</p>`)
    .join('')}</body></html>`
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'", 'referrer-policy': 'no-referrer' },
    body,
  }
}

export function oauthCallbackRoute(deps: OAuthCallbackDeps): Route {
  return {
    method: 'GET',
    path: '/oauth/tiktok/callback',
    async handle(req) {
      const q = req.url.searchParams
      const error = q.get('error')
      const code = q.get('code')
      if (error || !code || code === 'null')
        return page(400, 'Shop not connected', [`The seller did not authorize the app${error ? ` (${error.slice(0, 80)})` : ''}. Open the authorization link again.`])
      const bad = checkOAuthState(deps.stateSecret, q.get('state'), deps.clock.now())
      if (bad) return page(400, 'Shop not connected', [`${bad}. Make a new link with: npm run cli -- shop auth-url`])
      try {
        const r = await deps.connectShop(code, 'oauth')
        return page(200, 'Shop connected', [
          `Seller: ${r.sellerName || r.openId}`,
          ...r.shops.map((s) => `Shop ${s.name} (${s.id}, ${s.region})`),
          'Next: print a link code with `npm run cli -- link-code --shop SHOP_ID` and type /link CODE in your chat.',
        ])
      } catch (err) {
        deps.logger.warn('oauth callback failed', { err })
        if (isAppError(err)) return page(isAppError(err, 'shop_unavailable') ? 503 : 400, 'Shop not connected', [err.message])
        return page(500, 'Shop not connected', ['Something went wrong on our side; try again.'])
      }
    },
  }
}

export function healthRoute(deps: { db: Db; timeoutMs?: number }): Route {
  return {
    method: 'GET',
    path: '/healthz',
    async handle() {
      const t0 = performance.now()
      let timer: NodeJS.Timeout | undefined
      try {
        await Promise.race([
          deps.db.execute(sql`select 1`),
          new Promise((_, fail) => {
            timer = setTimeout(() => fail(new Error('timeout')), deps.timeoutMs ?? 3_000)
          }),
        ])
        return json(200, { ok: true, database: 'up', ms: Math.round(performance.now() - t0) })
      } catch {
        return json(503, { ok: false, database: 'down' })
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
