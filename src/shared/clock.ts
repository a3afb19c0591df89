/** Time source. Production uses the system clock; tests use a controllable one. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

export class ManualClock implements Clock {
  private t: number
  constructor(start: Date | string | number = '2026-11-20T00:00:00Z') {
    this.t = new Date(start).getTime()
  }
  now(): Date {
    return new Date(this.t)
  }
  set(at: Date | string | number): void {
    this.t = new Date(at).getTime()
  }
  advance(ms: number): Date {
    this.t += ms
    return this.now()
  }
  advanceMinutes(m: number): Date {
    return this.advance(m * 60_000)
  }
  advanceHours(h: number): Date {
    return this.advance(h * 3_600_000)
  }
}

export const HOUR = 3_600_000
export const MINUTE = 60_000
