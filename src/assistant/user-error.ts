/**
 * Errors meant for the person who typed or pressed: an AppError whose params carry the catalogue key,
 * so the assistant answers in the channel's language. The English text is the error's message (logs, CLI).
 */
import { t, type MessageKey, type Params } from '../i18n/index.js'
import { AppError, type ErrorCode } from '../shared/errors.js'

export function userError(code: ErrorCode, key: MessageKey, params: Params = {}): AppError {
  return new AppError(code, t('en', key, params), { ...params, i18nKey: key })
}
