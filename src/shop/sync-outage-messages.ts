/**
 * What the channels following a shop are told when its syncs keep failing, and when they work again
 * (src/shop/sync-outage.ts), in the channel's language. The shop name is platform text and the
 * failure is our own error text: both stay plain strings for the adapter to escape.
 */
import type { ChannelInfo } from '../assistant/types.js'
import { message, type NeutralMessage } from '../notifications/message.js'

const text = {
  en: {
    downTitle: 'Cannot reach TikTok Shop for {shop}',
    downSince: 'Every sync has failed since ',
    downWhy: 'Last failure: ',
    downRisk: 'New orders, cancellation requests and deadline warnings may be missing or late here until it works again: check Seller Center meanwhile.',
    downNext: 'I keep trying every few minutes and will say here when it works again.',
    backTitle: 'TikTok Shop reachable again for {shop}',
    backLine: 'The syncs failed from ',
    backTo: ' to ',
    backNext: 'What changed meanwhile is being read now: new orders, requests and warnings follow as usual.',
  },
  'zh-CN': {
    downTitle: '无法连接 TikTok Shop：{shop}',
    downSince: '同步一直失败，开始于 ',
    downWhy: '最近一次失败：',
    downRisk: '恢复之前，这里可能收不到或延迟收到新订单、取消申请和截止提醒：请暂时留意卖家中心。',
    downNext: '我会每隔几分钟重试一次，恢复后会在这里告知。',
    backTitle: 'TikTok Shop 已恢复连接：{shop}',
    backLine: '同步失败的时段：',
    backTo: ' 至 ',
    backNext: '正在读取期间的变化：新订单、取消申请和提醒会照常发送。',
  },
} as const

const fill = (s: string, shop: string) => s.replace('{shop}', shop)

export function syncDownMessage(ch: ChannelInfo, shopName: string, since: Date, failure: string): NeutralMessage {
  const x = text[ch.locale] ?? text.en
  return message({
    kind: 'shop_sync_down',
    tone: 'danger',
    title: fill(x.downTitle, shopName),
    lines: [[x.downSince, { at: since.toISOString(), style: 'both' }], [x.downWhy, failure], [x.downRisk], [x.downNext]],
  })
}

export function syncBackMessage(ch: ChannelInfo, shopName: string, since: Date, until: Date): NeutralMessage {
  const x = text[ch.locale] ?? text.en
  return message({
    kind: 'shop_sync_back',
    tone: 'success',
    title: fill(x.backTitle, shopName),
    lines: [[x.backLine, { at: since.toISOString(), style: 'datetime' }, x.backTo, { at: until.toISOString(), style: 'datetime' }], [x.backNext]],
  })
}
