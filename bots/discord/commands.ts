/**
 * The slash commands, with typed options, choices and localised names and descriptions (en-US, zh-CN).
 * Command descriptions come from the shared catalogue (src/i18n/commands.ts).
 */
import {
  ApplicationCommandOptionType as T,
  type APIApplicationCommandOption,
  type APIApplicationCommandOptionChoice,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js'
import { EXPORT_FORMATS, TEMPLATE_NAMES, TIME_FIELDS } from '../../src/exports/filters.js'
import { COMMAND_DOCS } from '../../src/i18n/commands.js'
import { t } from '../../src/i18n/index.js'
import { STATUS_FILTERS } from '../../src/orders/status.js'

type Option = APIApplicationCommandOption
type Text = { en: string; zh: string }

const doc = (name: string): Text => {
  const d = COMMAND_DOCS.find((c) => c.name === name)
  if (!d) throw new Error(`no description for /${name} in src/i18n/commands.ts`)
  return { en: d.en, zh: d.zh }
}

/** Chinese command and option names (Discord shows them to users whose client is in Chinese). */
const ZH_NAMES: Record<string, string> = {
  link: '关联',
  unlink: '取消关联',
  orders: '订单列表',
  order: '订单',
  export: '导出',
  late: '逾期',
  stock: '库存',
  role: '角色',
  grant: '分配',
  revoke: '移除',
  settings: '设置',
  picklist: '拣货单',
  label: '面单',
  help: '帮助',
  status: '状态',
  mark: '标记',
  cancel: '取消订单',
}

const OPTION_ZH: Record<string, string> = {
  code: '代码',
  status: '状态',
  id: '订单号',
  time: '时间类型',
  range: '时间范围',
  from: '开始日期',
  to: '结束日期',
  template: '模板',
  format: '格式',
  shop: '店铺',
  hours: '小时',
  sku: 'sku',
  quantity: '数量',
  add: '增减',
  user: '成员',
  role: '角色',
  language: '语言',
  timezone: '时区',
  daily: '每日汇总',
  thresholds: '提醒阈值',
  step: '步骤',
  reason: '原因',
  file: '文件',
  export: '导出',
}

const choice = (value: string, en: string, zh: string): APIApplicationCommandOptionChoice<string> => ({
  name: en,
  name_localizations: { 'zh-CN': zh },
  value,
})

const statusChoices = STATUS_FILTERS.map((s) => choice(s, t('en', `status.${s}`), t('zh-CN', `status.${s}`)))

const TEMPLATE_TEXT: Record<(typeof TEMPLATE_NAMES)[number], Text> = {
  order_list: { en: 'Order list (amounts and times)', zh: '订单列表(金额和时间)' },
  package_list: { en: 'Package list (recipient and address)', zh: '包裹列表(收件人和地址)' },
  order_sku_list: { en: 'Order SKU list (recommended)', zh: '订单商品列表(推荐)' },
}
const TIME_TEXT: Record<(typeof TIME_FIELDS)[number], Text> = {
  created: { en: 'Order create time', zh: '下单时间' },
  paid: { en: 'Paid time', zh: '付款时间' },
}
/** the ranges the exports core reads from words (filters.ts), offered as choices */
const RANGE_TEXT: Record<string, Text> = {
  today: { en: 'Today', zh: '今天' },
  yesterday: { en: 'Yesterday', zh: '昨天' },
  '7d': { en: 'Last 7 days', zh: '最近 7 天' },
  '30d': { en: 'Last 30 days', zh: '最近 30 天' },
  '90d': { en: 'Last 90 days', zh: '最近 90 天' },
  'this week': { en: 'This week (from Monday)', zh: '本周(从周一起)' },
  'last week': { en: 'Last week', zh: '上周' },
  'this month': { en: 'This month', zh: '本月' },
  'last month': { en: 'Last month', zh: '上个月' },
}
const FORMAT_TEXT: Record<(typeof EXPORT_FORMATS)[number], Text> = {
  csv: { en: 'CSV', zh: 'CSV' },
  xlsx: { en: 'Excel (.xlsx)', zh: 'Excel (.xlsx)' },
}
const STEP_TEXT: Record<string, Text> = {
  pick_list: { en: 'Pick list printed', zh: '拣货单已打印' },
  label: { en: 'Label printed', zh: '面单已打印' },
  packed: { en: 'Packed', zh: '已打包' },
  handed_over: { en: 'Handed over', zh: '已交付' },
}
const ROLE_TEXT: Record<string, Text> = {
  admin: { en: 'Admin', zh: '管理员' },
  operator: { en: 'Operator', zh: '操作员' },
  viewer: { en: 'Viewer', zh: '查看者' },
}

const fromText = (rec: Record<string, Text>) => Object.entries(rec).map(([v, x]) => choice(v, x.en, x.zh))

function opt(
  type: T.String | T.Integer | T.User | T.Attachment,
  name: string,
  desc: Text,
  extra: { required?: boolean; choices?: APIApplicationCommandOptionChoice<string>[]; autocomplete?: boolean; min?: number; max?: number; maxLength?: number } = {},
): Option {
  const base = {
    name,
    name_localizations: { 'zh-CN': OPTION_ZH[name] ?? name },
    description: desc.en,
    description_localizations: { 'zh-CN': desc.zh },
    required: extra.required ?? false,
  }
  if (type === T.Integer) return { ...base, type, ...(extra.min !== undefined ? { min_value: extra.min } : {}), ...(extra.max !== undefined ? { max_value: extra.max } : {}) }
  if (type === T.User || type === T.Attachment) return { ...base, type }
  return {
    ...base,
    type,
    ...(extra.choices ? { choices: extra.choices } : {}),
    ...(extra.autocomplete ? { autocomplete: true } : {}),
    ...(extra.maxLength ? { max_length: extra.maxLength } : {}),
  } as Option
}

const ORDER_ID: Text = { en: 'Order number (or its last 4+ digits, or a tracking number)', zh: '订单号(或后 4 位以上,或物流单号)' }

function command(name: string, desc: Text, options: Option[] = []): RESTPostAPIChatInputApplicationCommandsJSONBody {
  return {
    name,
    name_localizations: { 'zh-CN': ZH_NAMES[name] ?? name },
    description: desc.en,
    description_localizations: { 'zh-CN': desc.zh },
    dm_permission: false,
    contexts: [0],
    options,
  }
}

/** Every slash command of the bot, as the Discord API takes it. */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  const grant = doc('grant')
  const revoke = doc('revoke')
  const userOpt = opt(T.User, 'user', { en: 'The member', zh: '成员' }, { required: true })
  return [
    command('link', doc('link'), [opt(T.String, 'code', { en: 'The one-time code', zh: '一次性代码' }, { required: true, maxLength: 64 })]),
    command('unlink', doc('unlink'), [opt(T.String, 'shop', { en: 'The shop to stop following here', zh: '本群要停止关注的店铺' }, { required: true, autocomplete: true, maxLength: 100 })]),
    command('orders', doc('orders'), [opt(T.String, 'status', { en: 'Only orders in this status', zh: '只看此状态的订单' }, { choices: statusChoices })]),
    command('order', doc('order'), [opt(T.String, 'id', ORDER_ID, { required: true, maxLength: 40, autocomplete: true })]),
    command('export', doc('export'), [
      opt(T.String, 'status', { en: 'Order status (default: all)', zh: '订单状态(默认:全部)' }, { choices: statusChoices }),
      opt(T.String, 'time', { en: 'Which time the range applies to (default: create time)', zh: '时间范围按哪个时间(默认:下单时间)' }, { choices: fromText(TIME_TEXT) }),
      opt(T.String, 'range', { en: 'A range by name, instead of from and to', zh: '按名称选时间范围(代替开始和结束日期)' }, { choices: fromText(RANGE_TEXT) }),
      opt(T.String, 'from', { en: 'First day: YYYY-MM-DD, yesterday, today-7 or a time 2026-11-01T08:00 (default: 7 days ago)', zh: '开始日期:YYYY-MM-DD、昨天、today-7 或时间 2026-11-01T08:00(默认:7 天前)' }, { maxLength: 30 }),
      opt(T.String, 'to', { en: 'Last day: YYYY-MM-DD, today, yesterday or a time 2026-11-20T18:00 (default: today)', zh: '结束日期:YYYY-MM-DD、今天、昨天或时间 2026-11-20T18:00(默认:今天)' }, { maxLength: 30 }),
      opt(T.String, 'template', { en: 'Columns (default: order SKU list)', zh: '模板(默认:订单商品列表)' }, { choices: fromText(TEMPLATE_TEXT) }),
      opt(T.String, 'format', { en: 'File format (default: Excel)', zh: '文件格式(默认:Excel)' }, { choices: fromText(FORMAT_TEXT) }),
      opt(T.String, 'shop', { en: 'Only this shop (default: every linked shop)', zh: '只导出此店铺(默认:所有关联店铺)' }, { autocomplete: true, maxLength: 100 }),
    ]),
    command('late', doc('late'), [opt(T.Integer, 'hours', { en: 'Also orders due within this many hours', zh: '也显示这么多小时内到期的订单' }, { min: 1, max: 168 })]),
    command('stock', doc('stock'), [
      opt(T.String, 'sku', { en: 'Seller SKU; SHOP:SKU when several shops stock it (empty: every SKU)', zh: '商家 SKU;多个店铺都有时写 店铺:SKU(留空:所有 SKU)' }, { maxLength: 200, autocomplete: true }),
      opt(T.Integer, 'quantity', { en: 'Set the quantity on hand', zh: '设置现有库存数量' }, { min: 0, max: 1_000_000 }),
      opt(T.Integer, 'add', { en: 'Add to the quantity on hand (negative: take away)', zh: '增加现有库存(负数:减少)' }, { min: -1_000_000, max: 1_000_000 }),
      opt(T.Attachment, 'file', { en: 'A stock file (CSV or Excel) with the columns seller_sku and quantity: sets every SKU in it', zh: '库存文件(CSV 或 Excel,列为 seller_sku 和 quantity):设置其中每个 SKU' }),
      opt(T.String, 'export', { en: 'Get the stock sheet (every SKU) to fill in and send back as file', zh: '导出库存表(每个 SKU),填写后作为文件发回' }, { choices: [choice('xlsx', 'Excel (.xlsx)', 'Excel(.xlsx)'), choice('csv', 'CSV', 'CSV')] }),
      opt(T.String, 'shop', { en: 'The shop of the file or sheet, when this channel follows several', zh: '文件或库存表所属的店铺(本频道关注多个店铺时)' }, { autocomplete: true, maxLength: 100 }),
    ]),
    {
      ...command('role', { en: 'Give or remove a member’s role', zh: '分配或移除成员角色' }),
      options: [
        {
          type: T.Subcommand,
          name: 'grant',
          name_localizations: { 'zh-CN': ZH_NAMES.grant },
          description: grant.en,
          description_localizations: { 'zh-CN': grant.zh },
          options: [
            userOpt as never,
            opt(T.String, 'role', { en: 'The role', zh: '角色' }, { required: true, choices: fromText(ROLE_TEXT) }) as never,
          ],
        },
        {
          type: T.Subcommand,
          name: 'revoke',
          name_localizations: { 'zh-CN': ZH_NAMES.revoke },
          description: revoke.en,
          description_localizations: { 'zh-CN': revoke.zh },
          options: [userOpt as never],
        },
      ],
    },
    command('settings', doc('settings'), [
      opt(T.String, 'language', { en: 'Language of this channel', zh: '本频道的语言' }, { choices: [choice('en', 'English', 'English'), choice('zh-CN', '简体中文', '简体中文')] }),
      opt(T.String, 'timezone', { en: 'IANA time zone, e.g. Asia/Shanghai', zh: 'IANA 时区,例如 Asia/Shanghai' }, { maxLength: 64 }),
      opt(T.String, 'thresholds', { en: 'Warn this long before deadlines, e.g. 12h,2h,0', zh: '截止前多久提醒,例如 12h,2h,0' }, { maxLength: 64 }),
      opt(T.String, 'daily', { en: 'Daily summary at this local time, e.g. 09:00 (off: none)', zh: '每日汇总的本地时间,例如 09:00(off:不发送)' }, { maxLength: 10 }),
    ]),
    command('picklist', doc('picklist')),
    command('label', doc('label'), [opt(T.String, 'id', ORDER_ID, { required: true, maxLength: 40, autocomplete: true })]),
    command('mark', doc('mark'), [
      opt(T.String, 'id', ORDER_ID, { required: true, maxLength: 40, autocomplete: true }),
      opt(T.String, 'step', { en: 'The step', zh: '步骤' }, { required: true, choices: fromText(STEP_TEXT) }),
    ]),
    command('cancel', doc('cancel'), [
      opt(T.String, 'id', ORDER_ID, { required: true, maxLength: 40, autocomplete: true }),
    ]),
    command('status', doc('status')),
    command('help', doc('help')),
  ]
}
