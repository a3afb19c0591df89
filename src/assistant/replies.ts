/** Small builders for replies. */
import { message, type Line, type NeutralMessage } from '../notifications/message.js'
import type { Choice, Reply } from './types.js'

export function okReply(title: string, lines: (string | Line)[] = [], extra: Omit<Partial<Reply>, 'message'> & { message?: Partial<NeutralMessage> } = {}): Reply {
  const { message: m, ...rest } = extra
  return {
    ok: true,
    message: message({ kind: 'reply', tone: 'success', title, lines: lines.map((l) => (typeof l === 'string' ? [l] : l)), ...m }),
    ...rest,
  }
}

export function infoReply(msg: NeutralMessage, extra: Partial<Reply> = {}): Reply {
  return { ok: true, message: msg, ...extra }
}

export function errorReply(text: string): Reply {
  return { ok: false, ephemeral: true, message: message({ kind: 'error', tone: 'danger', title: text }) }
}

export function choiceReply(prompt: string, options: Choice[]): Reply {
  return { ok: true, ephemeral: true, message: message({ kind: 'choice', title: prompt }), choices: { prompt, options } }
}
