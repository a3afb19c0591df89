/**
 * How each text command is written (Telegram, the terminal chat, the CLI's chat commands), with
 * examples in both languages: `/help COMMAND` shows them, and the text parser quotes the usage line
 * when a command is written wrongly. In examples, {week} is the day a week ago and {yesterday}
 * yesterday, in the chat's time zone, so that they always lie within the 90 days an export reaches.
 */
export interface CommandExample {
  text: string
  en: string
  zh: string
}

export interface CommandHelp {
  usage: string
  examples: CommandExample[]
}

export const COMMAND_HELP: Record<string, CommandHelp> = {
  help: { usage: '/help [command]', examples: [{ text: '/help export', en: 'how to write /export, with examples', zh: '/export 的写法和示例' }] },
  status: { usage: '/status', examples: [] },
  link: { usage: '/link CODE', examples: [{ text: '/link K7Q2M9XW4P', en: 'link this chat with the code `npm run cli -- link-code` printed', zh: '用 `npm run cli -- link-code` 生成的代码关联本群' }] },
  unlink: {
    usage: '/unlink SHOP (its ID or name)',
    examples: [{ text: '/unlink 7494049642642441621', en: 'this chat stops hearing of that shop (an admin’s step; a new link code brings it back)', zh: '本群不再接收该店铺的消息(仅管理员;用新的关联代码可恢复)' }],
  },
  orders: {
    usage: '/orders [status]',
    examples: [
      { text: '/orders', en: 'the newest orders, any status', zh: '最新订单(全部状态)' },
      { text: '/orders awaiting_shipment', en: 'the newest orders still to ship', zh: '最新的待发货订单' },
      { text: '/orders 已取消', en: 'the newest cancelled orders (Chinese status names work too)', zh: '最新的已取消订单(也可用中文状态名)' },
    ],
  },
  order: {
    usage: '/order ORDER_ID',
    examples: [
      { text: '/order 576653688135258178', en: 'one order by its whole number', zh: '按完整订单号查看' },
      { text: '/order 8178', en: 'the order whose number ends in 8178 (or a list, if several do)', zh: '订单号以 8178 结尾的订单(多个时列出)' },
      { text: '/order 9400111899223197428490', en: 'the order shipped under this tracking number', zh: '按物流单号查找订单' },
    ],
  },
  export: {
    usage: '/export status=shipped time=paid from=2026-11-01 to=2026-11-20 template=order_list format=csv (or the values alone: /export shipped paid 2026-11-01 2026-11-20 csv)',
    examples: [
      { text: '/export', en: 'the last 7 days, every status, as Excel (order SKU list)', zh: '最近 7 天、全部状态,Excel(订单商品列表)' },
      { text: '/export status=awaiting_shipment format=csv', en: 'orders to ship, as CSV', zh: '待发货订单,CSV' },
      { text: '/export status=shipped time=paid from={week} to={yesterday}', en: 'shipped orders paid in those days', zh: '这几天付款的已发货订单' },
      { text: '/export template=package_list yesterday', en: 'yesterday’s orders with recipient and address', zh: '昨天的订单(含收件人和地址)' },
      { text: '/export last 30 days shipped', en: 'a range in words: 30d, this week (from Monday), last month', zh: '用词语写时间范围:最近30天、本周、上月' },
      { text: '/export 待发货 付款时间 csv', en: 'the same words in Chinese, in any order', zh: '中文写法,顺序不限' },
      { text: '/export shipped from {week} to:{yesterday}', en: 'a key may also be followed by its value, or written key:value', zh: '键后可直接写值,也可写成 键:值' },
      { text: '/export 已发货 从 {week} 到 {yesterday}', en: 'the keys have Chinese names too (从 from, 到 to, 状态 status, 模板 template, 格式 format)', zh: '键也可用中文:从、到、状态、模板、格式' },
    ],
  },
  late: {
    usage: '/late [hours]',
    examples: [
      { text: '/late', en: 'late orders and those due within 24 h, with the late-dispatch rate', zh: '已逾期和 24 小时内到期的订单,以及延迟发货率' },
      { text: '/late 6', en: 'only those due within 6 h', zh: '只看 6 小时内到期的' },
    ],
  },
  stock: {
    usage: '/stock [SKU] [quantity | +N | -N] | /stock export [xlsx|csv]; or a stock file (CSV or Excel, columns seller_sku,quantity) sent with the caption /stock [shop], or answered with /stock: every SKU in it is set (an add column instead adds units: a delivery)',
    examples: [
      { text: '/stock', en: 'every SKU: on hand, held by open orders, short ones first', zh: '全部 SKU:在库、已占用,缺货的排在前面' },
      { text: '/stock CASE-BLK', en: 'one SKU, and the open orders holding it: which the stock covers, first paid first', zh: '单个 SKU,以及占用它的未发货订单:按付款先后,哪些库存可满足' },
      { text: '/stock CASE-BLK 120', en: 'set the units on hand', zh: '设置在库数量' },
      { text: '/stock CASE-BLK +20', en: '20 received (or -3 damaged): a change, not a new total; the reply names the orders it now covers', zh: '入库 20 件(或 -3 报损):是增减,不是新总数;回复会列出因此可以发货的订单' },
      { text: '/stock case-blk', en: 'any letter case finds the shop’s CASE-BLK; a SKU it never had gets the nearest ones it has', zh: '大小写不限,会找到店铺的 CASE-BLK;店铺没有的 SKU 会提示最接近的' },
      { text: '/stock export', en: 'the stock sheet (Excel; /stock export csv for CSV): every SKU with on hand, held and available; fill in the quantity column and send it back with /stock', zh: '导出库存表(Excel;CSV 用 /stock export csv):每个 SKU 的在库、占用和可用;填写数量列后随 /stock 发回即可更新' },
      { text: '/stock "UK store:CASE-BLK" +20', en: 'in a chat of several shops, the shop’s name (or ID) before the SKU, when more than one stocks it', zh: '群里有多个店铺且都有该 SKU 时,在 SKU 前写店铺名称(或 ID)' },
    ],
  },
  grant: { usage: '/grant ROLE (as a reply to the member’s message)', examples: [{ text: '/grant operator', en: 'replying to a member: they may accept, reject, cancel and mark', zh: '回复某成员的消息:其可同意、拒绝、取消和标记' }] },
  revoke: { usage: '/revoke (as a reply to the member’s message)', examples: [] },
  settings: {
    usage: '/settings lang=zh-CN tz=Asia/Shanghai warn=12h,2h,0 daily=09:00',
    examples: [
      { text: '/settings', en: 'show this chat’s settings', zh: '查看本群设置' },
      { text: '/settings lang=zh-CN tz=Asia/Shanghai', en: 'Chinese, times in Beijing time', zh: '中文,北京时间' },
      { text: '/settings warn=24h,2h,0', en: 'warn 24 h and 2 h before a deadline, and when it passes', zh: '截止前 24 小时、2 小时及逾期时提醒' },
      { text: '/settings daily=09:00', en: 'a summary every morning at 9 (daily=off stops it)', zh: '每天 9 点发送汇总(daily=off 关闭)' },
      { text: '/settings language zh', en: 'a key followed by its value works too (or lang:zh)', zh: '键后直接写值也可以(或 lang:zh)' },
    ],
  },
  picklist: { usage: '/picklist', examples: [] },
  label: { usage: '/label ORDER_ID', examples: [{ text: '/label 8178', en: 'the shipping label of the order ending in 8178', zh: '订单号以 8178 结尾的订单的面单' }] },
  mark: {
    usage: '/mark ORDER_ID pick_list|label|packed|handed_over',
    examples: [{ text: '/mark 8178 packed', en: 'the order ending in 8178 is packed', zh: '订单号以 8178 结尾的订单已打包' }],
  },
  cancel: {
    usage: '/cancel ORDER_ID [reason]',
    examples: [{ text: '/cancel 8178', en: 'cancel an order you cannot fulfil: you pick the reason next', zh: '取消无法履约的订单:接着选择原因' }],
  },
}

/** the usage line of each command, as the text parser quotes it */
export const USAGE: Record<string, string> = Object.fromEntries(Object.entries(COMMAND_HELP).map(([name, h]) => [name, h.usage]))
