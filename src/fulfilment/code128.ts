/**
 * Code 128 barcodes (ISO/IEC 15417) for the order id on seller-shipping labels, so a scanner can
 * read the order back. Digits-only ids use code set C (two digits per symbol), anything else code set B.
 */

/** Bar/space widths of symbol values 0–106 (106 is the stop symbol, 7 elements). */
// prettier-ignore
export const CODE128_PATTERNS: readonly string[] = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
]

const START_B = 104
const START_C = 105
const CODE_C = 99
const STOP = 106

/** The symbol values of `text`: start, data, check symbol, stop. Printable ASCII only. */
export function code128Values(text: string): number[] {
  if (!text.length) throw new Error('Code 128: nothing to encode')
  for (const ch of text) {
    const c = ch.codePointAt(0)!
    if (c < 32 || c > 126) throw new Error(`Code 128 (set B/C) cannot encode ${JSON.stringify(ch)}`)
  }
  const values: number[] = []
  if (/^\d+$/.test(text) && text.length >= 2) {
    let rest = text
    if (rest.length % 2 === 1) {
      values.push(START_B, rest.charCodeAt(0) - 32, CODE_C)
      rest = rest.slice(1)
    } else values.push(START_C)
    for (let i = 0; i < rest.length; i += 2) values.push(Number(rest.slice(i, i + 2)))
  } else {
    values.push(START_B, ...[...text].map((ch) => ch.charCodeAt(0) - 32))
  }
  values.push(code128Check(values), STOP)
  return values
}

/** The check symbol: start value plus each data value times its position, modulo 103. */
export function code128Check(values: number[]): number {
  let sum = values[0]
  for (let i = 1; i < values.length; i++) sum += values[i] * i
  return sum % 103
}

/** Bar and space widths in modules, bar first, for the whole symbol (without quiet zones). */
export function code128Widths(text: string): number[] {
  return code128Values(text).flatMap((v) => [...CODE128_PATTERNS[v]].map(Number))
}
