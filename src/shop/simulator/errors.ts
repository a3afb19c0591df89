/**
 * Error codes and HTTP statuses the simulator answers with (reference §1.4 and the endpoint pages).
 * Codes marked UNCONFIRMED are our choice where the reference names none.
 */
export const CODES = {
  ok: 0,
  /** UNCONFIRMED: the reference lists no code for a malformed parameter; we use this one */
  invalidParam: 36009001,
  throttled: 36009002,
  internal: 36009003,
  credentials: 36009004,
  invalidPath: 36009009,
  invalidMethod: 36009010,
  invalidVersion: 36009014,
  tokenExpired: 105002,
  invalidSign: 106001,
  shopCipherMissing: 106013,
  onHold: 21011044,
  /** UNCONFIRMED: "package item has an after-sale request" (non-US ship with a pending buyer request) */
  afterSalePending: 21011045,
  /** UNCONFIRMED: order/package is not in a state that can be shipped */
  cannotShip: 21011001,
  cancelReasonMismatch: 25001021,
  cannotReject: 25011011,
  cannotApprove: 25011012,
  shippingDocNotAllowed: 21008017,
  /** UNCONFIRMED: resource (order, package, cancellation) not found */
  notFound: 36009001,
} as const

/** A refusal the server turns into the envelope `{code, message, request_id, data: null}`. */
export class SimError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
  ) {
    super(message)
    this.name = 'SimError'
  }
}

export const badParam = (message: string) => new SimError(400, CODES.invalidParam, `Invalid params: ${message}`)
