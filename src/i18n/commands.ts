/** Command names and their descriptions in both languages (for Telegram setMyCommands and Discord localisations). */
export interface CommandDoc {
  name: string
  en: string
  zh: string
}

export const COMMAND_DOCS: CommandDoc[] = [
  { name: 'link', en: 'Link this chat to a shop with a one-time code', zh: '用一次性代码将本群关联到店铺' },
  { name: 'unlink', en: 'Stop following a shop in this chat (admins)', zh: '本群停止关注某个店铺(管理员)' },
  { name: 'orders', en: 'List recent orders, optionally by status', zh: '查看最近订单(可按状态)' },
  { name: 'order', en: 'Show one order: its number, last digits or tracking number', zh: '查看单个订单:订单号、订单号后几位或物流单号' },
  { name: 'export', en: 'Export orders as CSV or Excel', zh: '导出订单(CSV 或 Excel)' },
  { name: 'late', en: 'Orders late or due soon, and the late-dispatch rate', zh: '逾期和即将到期的订单及延迟发货率' },
  { name: 'stock', en: 'Show, set or change (+N / -N) stock for a SKU, or import a stock file', zh: '查看、设置或增减(+N / -N)SKU 库存,或导入库存文件' },
  { name: 'picklist', en: 'Print the pick list for unpicked paid orders', zh: '打印待拣货订单的拣货单' },
  { name: 'label', en: 'Get the shipping label of an order', zh: '获取订单的面单' },
  { name: 'mark', en: 'Mark a fulfilment step of an order as done', zh: '标记订单的履约步骤已完成' },
  { name: 'cancel', en: 'Cancel an order you cannot fulfil (asks for a reason)', zh: '取消无法履约的订单(需选择原因)' },
  { name: 'grant', en: 'Give a member a role (admin, operator, viewer)', zh: '给成员分配角色(管理员、操作员、查看者)' },
  { name: 'revoke', en: 'Remove a member’s role', zh: '移除成员角色' },
  { name: 'settings', en: 'Language, time zone, warning thresholds and the daily summary', zh: '语言、时区、提醒阈值和每日汇总' },
  { name: 'status', en: 'Is the bot reading the shops and posting here?', zh: '机器人是否正常读取店铺并发送消息' },
  { name: 'help', en: 'What this bot can do', zh: '机器人使用帮助' },
]
