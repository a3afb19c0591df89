/**
 * Button actions: typed in the core, carried by adapters as compact strings that fit Telegram's
 * 64-byte callback_data and Discord's 100-character custom_id. Reasons travel as an index into the
 * platform's reason list (their names are too long for callback data).
 */
export type MarkStep = 'pick_list' | 'label' | 'packed' | 'handed_over'

export type Action =
  | { type: 'cancel.accept'; cancelId: string }
  | { type: 'cancel.reject_start'; cancelId: string }
  | { type: 'cancel.reject'; cancelId: string; reason: number }
  | { type: 'order.cancel_start'; orderId: string }
  | { type: 'order.cancel'; orderId: string; reason: number }
  | { type: 'order.mark'; orderId: string; step: MarkStep }
  | { type: 'order.show'; orderId: string }

const STEP_CODES: Record<MarkStep, string> = { pick_list: 'k', label: 'l', packed: 'p', handed_over: 'h' }
const STEP_BY_CODE = Object.fromEntries(Object.entries(STEP_CODES).map(([k, v]) => [v, k])) as Record<string, MarkStep>

export function encodeAction(a: Action): string {
  switch (a.type) {
    case 'cancel.accept':
      return `ca:${a.cancelId}`
    case 'cancel.reject_start':
      return `cr:${a.cancelId}`
    case 'cancel.reject':
      return `cx:${a.cancelId}:${a.reason}`
    case 'order.cancel_start':
      return `oc:${a.orderId}`
    case 'order.cancel':
      return `ox:${a.orderId}:${a.reason}`
    case 'order.mark':
      return `om:${a.orderId}:${STEP_CODES[a.step]}`
    case 'order.show':
      return `os:${a.orderId}`
  }
}

const ID = /^[A-Za-z0-9_-]{1,40}$/

/** The action a compact string stands for, or null when it is not one of ours. */
export function decodeAction(data: string): Action | null {
  const [tag, id, extra, ...rest] = String(data).split(':')
  if (rest.length || !id || !ID.test(id)) return null
  const idx = extra !== undefined && /^\d{1,3}$/.test(extra) ? Number(extra) : null
  switch (tag) {
    case 'ca':
      return extra === undefined ? { type: 'cancel.accept', cancelId: id } : null
    case 'cr':
      return extra === undefined ? { type: 'cancel.reject_start', cancelId: id } : null
    case 'cx':
      return idx === null ? null : { type: 'cancel.reject', cancelId: id, reason: idx }
    case 'oc':
      return extra === undefined ? { type: 'order.cancel_start', orderId: id } : null
    case 'ox':
      return idx === null ? null : { type: 'order.cancel', orderId: id, reason: idx }
    case 'om': {
      const step = extra ? STEP_BY_CODE[extra] : undefined
      return step ? { type: 'order.mark', orderId: id, step } : null
    }
    case 'os':
      return extra === undefined ? { type: 'order.show', orderId: id } : null
    default:
      return null
  }
}
