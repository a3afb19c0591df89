/**
 * The TikTok Shop client: implements the core's ShopPort over the signed API (202309+ paths).
 * It finds each shop's cipher and a fresh access token through a ShopAuthProvider (src/shop/tokens.ts);
 * when the platform says the token has expired it asks for a refresh once and repeats the call.
 * IDs stay strings; page tokens are passed back as received.
 */
import type { PlatformOrder } from '../../orders/platform-order.js'
import { AppError, badInput } from '../../shared/errors.js'
import type {
  CancellationSearch,
  OrderSearch,
  Page,
  PlatformCancellation,
  Reason,
  ShippingDocumentType,
  ShopPort,
} from '../port.js'
import { isTokenExpired, type ApiRequest, type TikTokApi } from './api.js'

export interface ShopCredentials {
  /** shop_cipher from Get Authorized Shops (null for shops that need none) */
  cipher: string | null
  accessToken: string
}

export interface ShopAuthProvider {
  credentials(shopId: string): Promise<ShopCredentials>
  /** The platform called `staleAccessToken` expired: refresh (once, shared by concurrent callers). */
  refreshAfterExpiry(shopId: string, staleAccessToken: string): Promise<ShopCredentials>
  /** The shop's authorisation changed (withdrawn): drop what is cached about it. */
  forgetShop?(shopId: string): void
}

export interface AuthorizedShop {
  id: string
  name: string
  region: string
  seller_type: string
  cipher: string
  code?: string
}

const ORDER_DETAIL_MAX_IDS = 50
const ID = /^[A-Za-z0-9_-]{1,64}$/

function pathId(kind: string, v: string): string {
  if (!ID.test(v)) throw badInput(`${kind} must be letters, digits, _ or - (got ${JSON.stringify(v).slice(0, 40)})`)
  return v
}

const clampSize = (n: number | undefined, def: number, max: number) => Math.max(1, Math.min(max, Math.floor(n ?? def)))
const list = (xs: unknown): unknown[] => (Array.isArray(xs) ? xs : [])

export class TikTokShopClient implements ShopPort {
  constructor(
    private readonly api: TikTokApi,
    private readonly auth: ShopAuthProvider,
  ) {}

  shopChanged(shopId: string): void {
    this.auth.forgetShop?.(shopId)
  }

  /** A shop-scoped call with the refresh-once rule for an expired token. */
  private async shopCall<T>(shopId: string, req: Omit<ApiRequest, 'accessToken' | 'shopCipher'>): Promise<T> {
    let creds = await this.auth.credentials(shopId)
    try {
      return await this.api.call<T>({ ...req, accessToken: creds.accessToken, shopCipher: creds.cipher })
    } catch (err) {
      if (!isTokenExpired(err)) throw err
      creds = await this.auth.refreshAfterExpiry(shopId, creds.accessToken)
      return this.api.call<T>({ ...req, accessToken: creds.accessToken, shopCipher: creds.cipher })
    }
  }

  async searchOrders(shopId: string, q: OrderSearch): Promise<Page<PlatformOrder>> {
    const byUpdate = q.updateTimeGe !== undefined || q.updateTimeLt !== undefined
    const body: Record<string, unknown> = {}
    if (q.status) body.order_status = q.status
    if (q.updateTimeGe !== undefined) body.update_time_ge = q.updateTimeGe
    if (q.updateTimeLt !== undefined) body.update_time_lt = q.updateTimeLt
    if (q.createTimeGe !== undefined) body.create_time_ge = q.createTimeGe
    if (q.createTimeLt !== undefined) body.create_time_lt = q.createTimeLt
    const data = await this.shopCall<{ orders?: PlatformOrder[]; next_page_token?: string; total_count?: number }>(shopId, {
      method: 'POST',
      path: '/order/202309/orders/search',
      query: {
        page_size: clampSize(q.pageSize, 100, 100),
        page_token: q.pageToken || undefined,
        sort_field: byUpdate ? 'update_time' : 'create_time',
        sort_order: 'ASC',
      },
      body,
      idempotent: true,
    })
    return page(list(data?.orders) as PlatformOrder[], data)
  }

  async getOrders(shopId: string, ids: string[]): Promise<PlatformOrder[]> {
    const out: PlatformOrder[] = []
    const unique = [...new Set(ids)].map((id) => pathId('order id', id))
    for (let i = 0; i < unique.length; i += ORDER_DETAIL_MAX_IDS) {
      const chunk = unique.slice(i, i + ORDER_DETAIL_MAX_IDS)
      const data = await this.shopCall<{ orders?: PlatformOrder[] }>(shopId, {
        method: 'GET',
        path: '/order/202309/orders',
        query: { ids: chunk },
        idempotent: true,
      })
      out.push(...(list(data?.orders) as PlatformOrder[]))
    }
    return out
  }

  async searchCancellations(shopId: string, q: CancellationSearch): Promise<Page<PlatformCancellation>> {
    const body: Record<string, unknown> = {}
    if (q.cancelIds?.length) body.cancel_ids = q.cancelIds
    if (q.orderIds?.length) body.order_ids = q.orderIds
    if (q.cancelStatus?.length) body.cancel_status = q.cancelStatus
    if (q.updateTimeGe !== undefined) body.update_time_ge = q.updateTimeGe
    if (q.updateTimeLt !== undefined) body.update_time_lt = q.updateTimeLt
    const data = await this.shopCall<{ cancellations?: PlatformCancellation[]; next_page_token?: string; total_count?: number }>(shopId, {
      method: 'POST',
      path: '/return_refund/202309/cancellations/search',
      query: {
        page_size: clampSize(q.pageSize, 50, 50),
        page_token: q.pageToken || undefined,
        sort_field: 'update_time',
        sort_order: 'ASC',
      },
      body,
      idempotent: true,
    })
    return page(list(data?.cancellations) as PlatformCancellation[], data)
  }

  async approveCancellation(shopId: string, cancelId: string, idempotencyKey: string): Promise<void> {
    await this.shopCall(shopId, {
      method: 'POST',
      path: `/return_refund/202309/cancellations/${pathId('cancel id', cancelId)}/approve`,
      query: { idempotency_key: idempotencyKeyOf(idempotencyKey) },
      idempotent: true,
    })
  }

  async rejectCancellation(shopId: string, cancelId: string, reason: string, comment: string, idempotencyKey: string): Promise<void> {
    if (!reason) throw badInput('a reject reason is required')
    await this.shopCall(shopId, {
      method: 'POST',
      path: `/return_refund/202309/cancellations/${pathId('cancel id', cancelId)}/reject`,
      query: { idempotency_key: idempotencyKeyOf(idempotencyKey) },
      body: comment ? { reject_reason: reason, comment } : { reject_reason: reason },
      idempotent: true,
    })
  }

  async rejectReasons(shopId: string, cancelId: string, locale = 'en-US'): Promise<Reason[]> {
    const data = await this.shopCall<{ reasons?: { name?: string; text?: string }[] }>(shopId, {
      method: 'GET',
      path: '/return_refund/202309/reject_reasons',
      query: { return_or_cancel_id: pathId('cancel id', cancelId), locale },
      idempotent: true,
    })
    return list(data?.reasons)
      .map((r) => r as { name?: string; text?: string })
      .filter((r) => r.name)
      .map((r) => ({ name: String(r.name), text: String(r.text ?? r.name) }))
  }

  async cancelOrder(shopId: string, orderId: string, reason: string): Promise<{ cancelId: string; cancelStatus: string }> {
    if (!reason) throw badInput('a cancel reason is required')
    const data = await this.shopCall<{ cancel_id?: string; cancel_status?: string }>(shopId, {
      method: 'POST',
      path: '/return_refund/202309/cancellations',
      body: { order_id: pathId('order id', orderId), cancel_reason: reason },
      // no idempotency key on this endpoint: never repeated after a timeout
      idempotent: false,
    })
    if (!data?.cancel_id) throw new AppError('shop_error', 'TikTok Shop accepted the cancellation but returned no cancel_id', { orderId })
    return { cancelId: String(data.cancel_id), cancelStatus: String(data.cancel_status ?? '') }
  }

  async shippingDocument(shopId: string, packageId: string, type: ShippingDocumentType): Promise<{ docUrl: string; trackingNumber: string }> {
    const data = await this.shopCall<{ doc_url?: string; tracking_number?: string }>(shopId, {
      method: 'GET',
      path: `/fulfillment/202309/packages/${pathId('package id', packageId)}/shipping_documents`,
      query: { document_type: type },
      idempotent: true,
    })
    if (!data?.doc_url) throw new AppError('shop_error', 'TikTok Shop returned no document for this package', { packageId })
    return { docUrl: String(data.doc_url), trackingNumber: String(data.tracking_number ?? '') }
  }
}

/** Get Authorized Shops: signed, with the access token, and never a shop_cipher (reference §6). */
export async function getAuthorizedShops(api: TikTokApi, accessToken: string): Promise<AuthorizedShop[]> {
  const data = await api.call<{ shops?: Partial<AuthorizedShop>[] }>({
    method: 'GET',
    path: '/authorization/202309/shops',
    accessToken,
    idempotent: true,
  })
  return list(data?.shops)
    .map((s) => s as Partial<AuthorizedShop>)
    .filter((s) => s.id)
    .map((s) => ({
      id: String(s.id),
      name: String(s.name ?? ''),
      region: String(s.region ?? ''),
      seller_type: String(s.seller_type ?? ''),
      cipher: String(s.cipher ?? ''),
      code: s.code === undefined ? undefined : String(s.code),
    }))
}

function page<T>(items: T[], data: { next_page_token?: string; total_count?: number } | undefined): Page<T> {
  return {
    items,
    nextPageToken: typeof data?.next_page_token === 'string' ? data.next_page_token : '',
    totalCount: typeof data?.total_count === 'number' ? data.total_count : undefined,
  }
}

function idempotencyKeyOf(k: string): string {
  if (!k || k.length > 255) throw badInput('the idempotency key must be 1 to 255 characters')
  return k
}
