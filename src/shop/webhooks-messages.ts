/**
 * What the channels following a shop are told about its authorization (webhooks 6 and 7), in the
 * channel's language. The shop name is platform text: it stays a plain string for the adapter to escape.
 */
import type { ChannelInfo } from '../assistant/types.js'
import { message, type NeutralMessage } from '../notifications/message.js'

const text = {
  en: {
    deauthTitle: 'Shop disconnected: {shop}',
    deauthLine: 'The seller withdrew this app’s access to the shop on TikTok Shop. New orders and cancellation requests will no longer arrive here.',
    deauthFix: 'To reconnect, authorize the app again and run: npm run cli -- shop connect --code AUTH_CODE',
    expTitle: 'Shop authorization expires soon: {shop}',
    expLine: 'TikTok Shop will stop sending this shop’s orders when the authorization expires at ',
    expFix: 'Ask the shop owner to authorize the app again before then.',
  },
  'zh-CN': {
    deauthTitle: '店铺已断开连接：{shop}',
    deauthLine: '卖家已在 TikTok Shop 撤销本应用对该店铺的授权。新订单和取消申请将不再发送到这里。',
    deauthFix: '如需重新连接，请再次授权应用并运行：npm run cli -- shop connect --code AUTH_CODE',
    expTitle: '店铺授权即将到期：{shop}',
    expLine: '授权到期后 TikTok Shop 将不再发送该店铺的订单，到期时间：',
    expFix: '请店铺负责人在此之前重新授权本应用。',
  },
} as const

const fill = (s: string, shop: string) => s.replace('{shop}', shop)

export function deauthorizedMessage(ch: ChannelInfo, shopName: string, platformText: string): NeutralMessage {
  const x = text[ch.locale] ?? text.en
  return message({
    kind: 'shop_deauthorized',
    tone: 'danger',
    title: fill(x.deauthTitle, shopName),
    lines: [[x.deauthLine], ...(platformText ? [[platformText]] : []), [x.deauthFix]],
  })
}

export function authExpiringMessage(ch: ChannelInfo, shopName: string, expiresAt: Date | null, platformText: string): NeutralMessage {
  const x = text[ch.locale] ?? text.en
  return message({
    kind: 'shop_auth_expiring',
    tone: 'warning',
    title: fill(x.expTitle, shopName),
    lines: [
      expiresAt ? [x.expLine, { at: expiresAt.toISOString(), style: 'both' }] : [x.expLine.replace(/[:：]\s*$/, '').replace(/ at $/, '') ],
      ...(platformText ? [[platformText]] : []),
      [x.expFix],
    ],
  })
}
