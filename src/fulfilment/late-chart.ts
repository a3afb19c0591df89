/**
 * The late-dispatch chart: per calendar day, new paid orders, dispatched orders and late ones, as a
 * PNG drawn without a browser (vega-lite spec → vega View → SVG → PNG with resvg). Labels may be
 * Chinese, so resvg gets the Noto Sans SC font files and no system fonts (same picture everywhere).
 */
import { Resvg } from '@resvg/resvg-js'
import type { TopLevelSpec } from 'vega-lite'
import type { Locale } from '../assistant/types.js'
import { CJK_FAMILY, cjkFontPath } from './cjk-font.js'
import { subsetFontFile } from './font-subset.js'
import { texts } from './texts.js'

export interface DayPoint {
  /** YYYY-MM-DD in the channel's zone */
  day: string
  paid: number
  dispatched: number
  late: number
}

export interface ChartOptions {
  locale: Locale
  /** subtitle, e.g. the rates */
  subtitle?: string
  width?: number
  height?: number
}

export const CHART_WIDTH = 1000
export const CHART_HEIGHT = 500

export function lateChartSpec(points: DayPoint[], o: ChartOptions): TopLevelSpec {
  const t = texts(o.locale)
  const names = { paid: o.locale === 'zh-CN' ? '新付款订单' : 'new paid orders', dispatched: t.dispatched, late: t.late }
  const values = points.flatMap((p) => [
    { day: p.day, series: names.paid, n: p.paid },
    { day: p.day, series: names.dispatched, n: p.dispatched },
    { day: p.day, series: names.late, n: p.late },
  ])
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    scale: { domain: [names.paid, names.dispatched, names.late], range: ['#37474f', '#90caf9', '#e53935'] },
    legend: { orient: 'top' as const, labelFontSize: 13, columnPadding: 28, symbolOffset: 4 },
  }
  const x = {
    field: 'day',
    type: 'ordinal' as const,
    title: null,
    sort: points.map((p) => p.day),
    axis: { labelExpr: 'substring(datum.value, 5)', labelAngle: -45, labelFontSize: 11 },
  }
  const y = { field: 'n', type: 'quantitative' as const, title: t.count, axis: { tickMinStep: 1, titleFontSize: 12 } }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: o.width ?? CHART_WIDTH,
    height: o.height ?? CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    padding: 16,
    background: 'white',
    title: { text: t.chartTitle, subtitle: o.subtitle ?? '', fontSize: 18, subtitleFontSize: 13, anchor: 'start' },
    config: { font: CJK_FAMILY, view: { stroke: null } },
    data: { values },
    layer: [
      {
        transform: [{ filter: { field: 'series', oneOf: [names.dispatched, names.late] } }],
        mark: { type: 'bar', opacity: 1 },
        encoding: { x, y: { ...y, stack: null }, color, order: { field: 'n', sort: 'descending' } },
      },
      {
        transform: [{ filter: { field: 'series', equal: names.paid } }],
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: { x, y, color },
      },
    ],
  } as TopLevelSpec
}

/** The chart as SVG text. */
export async function lateChartSvg(points: DayPoint[], o: ChartOptions): Promise<string> {
  // Loaded on first use: importing vega-lite adds Set.prototype.toJSON, which breaks discord.js
  // (its bundled node-inspect-extracted) when discord.js is imported afterwards, as `npm start` does.
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')])
  const { spec } = compile(lateChartSpec(points, o))
  const view = new View(parse(spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/** The chart as PNG bytes, exactly width × height pixels. */
export async function renderLateChartPng(points: DayPoint[], o: ChartOptions): Promise<Buffer> {
  const svg = await lateChartSvg(points, o)
  // resvg re-reads the font file for each text element: give it small subsets holding just the chart's characters
  const text = [...svg.matchAll(/>([^<]+)</g)].map((m) => m[1]).join('')
  const fontFiles = [subsetFontFile(cjkFontPath('regular'), text), subsetFontFile(cjkFontPath('bold'), text)]
  const resvg = new Resvg(svg, {
    font: { fontFiles, loadSystemFonts: false, defaultFontFamily: CJK_FAMILY },
    fitTo: { mode: 'original' },
    background: 'white',
  })
  return resvg.render().asPng()
}
