/** The built-in command handlers. export, picklist, label and late come from other modules via deps.handlers. */
import type { CommandHandler } from '../context.js'
import type { CommandName } from '../types.js'
import { action, cancelOrder } from './cancel.js'
import { help } from './help.js'
import { link, unlink } from './link.js'
import { mark } from './mark.js'
import { orderDetail, ordersList } from './orders.js'
import { grant, revoke } from './roles.js'
import { settings } from './settings.js'
import { status } from './status.js'
import { stock } from './stock.js'

export const builtinHandlers: Partial<Record<CommandName, CommandHandler>> = {
  help,
  status,
  link,
  unlink,
  orders: ordersList,
  order: orderDetail,
  stock,
  grant,
  revoke,
  settings,
  mark,
  cancel_order: cancelOrder,
  action,
}
