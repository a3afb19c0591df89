/**
 * Refusals of the fulfilment commands, with their text in both languages. The error's message is
 * the English text (logs, CLI); `params.fulfilmentKey` lets the command handlers answer in the
 * channel's language.
 */
import type { Locale } from '../assistant/types.js'
import { AppError, type ErrorCode } from '../shared/errors.js'

type P = Record<string, string | number>

const EN = {
  not_linked: () => 'This chat is not linked to a shop yet: link one with /link CODE.',
  bad_order_id: (p: P) => `"${p.id}" is not an order id: use the order number from Seller Center (digits).`,
  order_not_found: (p: P) => `Order ${p.id} is not one of this chat’s shops’ orders. Check the number (/orders lists recent ones).`,
  unpaid: (p: P) => `Order ${p.id} is not paid yet: there is nothing to ship.`,
  cancelled: (p: P) => `Order ${p.id} is cancelled: do not ship it.`,
  on_hold: (p: P) => `Order ${p.id} is on hold (the buyer may still cancel for about an hour): the address and label come when it is awaiting shipment.`,
  fbt: (p: P) => `Order ${p.id} is fulfilled by TikTok: the platform's warehouse packs and labels it.`,
  no_package: (p: P) => `Order ${p.id} has no package yet: arrange shipment in Seller Center first (the platform creates the package and its label then).`,
  not_arranged: (p: P) => `The platform gives the label of order ${p.id} only after shipment is arranged (and before the carrier collects it). Arrange shipment in Seller Center, then ask again.`,
  no_address: (p: P) => `Order ${p.id} has no recipient address yet: the label can be made once the platform releases it.`,
  bad_hours: () => 'Hours must be a whole number from 1 to 168 (one week), e.g. /late 24.',
}

export type FulfilmentErrorKey = keyof typeof EN

const ZH: Record<FulfilmentErrorKey, (p: P) => string> = {
  not_linked: () => '本群尚未关联店铺：请先用 /link 代码 关联。',
  bad_order_id: (p) => `“${p.id}” 不是订单号：请使用卖家中心的订单号（数字）。`,
  order_not_found: (p) => `订单 ${p.id} 不属于本群关联的店铺。请核对订单号(/orders 可查看最近订单)。`,
  unpaid: (p) => `订单 ${p.id} 尚未付款：无需发货。`,
  cancelled: (p) => `订单 ${p.id} 已取消：请勿发货。`,
  on_hold: (p) => `订单 ${p.id} 处于暂挂期（买家约一小时内仍可取消）：待其变为待发货后才有地址和面单。`,
  fbt: (p) => `订单 ${p.id} 由 TikTok 仓发货（FBT）：由平台仓库打包贴单。`,
  no_package: (p) => `订单 ${p.id} 还没有包裹：请先在卖家中心安排发货（平台随后生成包裹和面单）。`,
  not_arranged: (p) => `平台仅在安排发货后（承运商揽收前）提供订单 ${p.id} 的面单。请先在卖家中心安排发货后再试。`,
  no_address: (p) => `订单 ${p.id} 还没有收件地址：平台放出地址后才能生成面单。`,
  bad_hours: () => '小时数须为 1 到 168 的整数，例如 /late 24。',
}

export function fulfilmentError(code: ErrorCode, key: FulfilmentErrorKey, params: P = {}): AppError {
  return new AppError(code, EN[key](params), { ...params, fulfilmentKey: key })
}

/** The error's text in the locale, when it is one of ours; else null. */
export function fulfilmentErrorText(err: AppError, locale: Locale): string | null {
  const key = err.params.fulfilmentKey as FulfilmentErrorKey | undefined
  if (!key || !(key in EN)) return null
  const p = err.params as P
  return locale === 'zh-CN' ? ZH[key](p) : EN[key](p)
}
