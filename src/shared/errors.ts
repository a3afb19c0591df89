/**
 * Typed errors with stable codes. Adapters map `code` (and `params`) to a message in the
 * channel's language; they never show a stack trace to a user.
 */
export type ErrorCode =
  | 'bad_input'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'already_decided'
  | 'expired'
  | 'shop_error'
  | 'shop_unavailable'
  | 'too_many'
  | 'config'
  | 'internal'
  | (string & {})

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export const badInput = (message: string, params: Record<string, unknown> = {}) =>
  new AppError('bad_input', message, params)
export const notFound = (message: string, params: Record<string, unknown> = {}) =>
  new AppError('not_found', message, params)
export const forbidden = (message: string, params: Record<string, unknown> = {}) =>
  new AppError('forbidden', message, params)

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code)
}
