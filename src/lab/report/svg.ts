/**
 * Server-side rendering of one chart to an SVG string with ECharts (no DOM, no canvas, no animation). The output is
 * deterministic: ECharts names its ids and classes after a per-process counter (`zr3-c0`), which is replaced by the
 * caller's id.
 */
import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkLineComponentOption,
} from 'echarts/components';
import { init, use, type ComposeOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { escapeHtml } from './escape.js';

use([BarChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, SVGRenderer]);

export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | MarkLineComponentOption
>;

export interface SvgOptions {
  width: number;
  height: number;
  /** Prefix for the SVG's internal ids and classes; must be unique in the page. */
  idPrefix: string;
  /** Accessible name of the image. */
  label: string;
}

/**
 * ECharts names the SVG's ids and classes after process-wide counters (`zr3-c0`, `zr3-cls-18`): each becomes
 * `PREFIX-c0`, `PREFIX-cls-0`, numbered per kind in order of first appearance, so the same chart gives the same bytes.
 * Only names in id, class, url(#...), href="#..." and CSS selectors are touched, never text.
 */
export function renumber(svg: string, prefix: string): string {
  const zr = /(?:id|class)="(zr\d+)-/.exec(svg)?.[1];
  if (zr === undefined) return svg;
  const seen = new Map<string, string>();
  const counters = new Map<string, number>();
  const re = new RegExp(`(id="|class="|url\\(#|href="#|\\.)${zr}-([a-z]+(?:-[a-z]+)*-?)(\\d+)`, 'g');
  return svg.replace(re, (_, before: string, kind: string, n: string) => {
    const key = `${kind}${n}`;
    let name = seen.get(key);
    if (name === undefined) {
      const next = counters.get(kind) ?? 0;
      counters.set(kind, next + 1);
      name = `${prefix}-${kind}${next}`;
      seen.set(key, name);
    }
    return `${before}${name}`;
  });
}

export function renderSvg(option: ChartOption, o: SvgOptions): string {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width: o.width, height: o.height });
  let svg: string;
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'sans-serif' }, ...option });
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  svg = renumber(svg, o.idPrefix);
  if (!svg.includes('xlink:')) svg = svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', '');
  return svg.replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(o.label)}" `);
}
