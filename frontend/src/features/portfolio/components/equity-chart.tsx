import { useEffect, useId, useRef, useState } from 'react';
import {
  AreaSeries,
  ColorType,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from 'lightweight-charts';

import { Card } from '@/components/ui/card';
import { SegmentedControl } from '@/components/ui/segmented-control';
import { Skeleton } from '@/components/ui/skeleton';
import { describeError, type EquityRange } from '@/lib/api';
import { formatPercent, formatUsd } from '@/lib/format';
import { useTheme } from '@/lib/theme';

import { equityChange, equityLine, type LinePoint, useEquity } from '../api/equity';
import { Pnl } from './pnl';

const RANGES = [
  { value: '1d', label: '1 day' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: 'all', label: 'All' },
] as const satisfies readonly { value: EquityRange; label: string }[];

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function applyTheme(chart: IChartApi, series: ISeriesApi<'Area'>): void {
  const text = cssVar('--color-text-muted');
  const grid = cssVar('--color-border');
  const line = cssVar('--color-primary') || cssVar('--color-success');
  chart.applyOptions({
    layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: text },
    grid: { vertLines: { visible: false }, horzLines: { color: grid } },
    rightPriceScale: { borderColor: grid },
    timeScale: { borderColor: grid },
  });
  series.applyOptions({ lineColor: line, topColor: `${line}55`, bottomColor: `${line}05` });
}

/** The line itself: TradingView's lightweight-charts, the same library as the market's candles. */
function EquityLineChart({ line }: { line: readonly LinePoint[] }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<{ chart: IChartApi; series: ISeriesApi<'Area'> } | null>(null);
  const { resolved: theme } = useTheme();

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createChart(container, {
      autoSize: true,
      layout: { attributionLogo: false },
      timeScale: { timeVisible: true, secondsVisible: false },
      handleScale: false,
      handleScroll: false,
    });
    const series = chart.addSeries(AreaSeries, {
      lineWidth: 2,
      priceFormat: { type: 'price', precision: 2, minMove: 0.01 },
    });
    chartRef.current = { chart, series };
    return () => {
      chartRef.current = null;
      chart.remove();
    };
  }, []);

  useEffect(() => {
    const current = chartRef.current;
    if (current) applyTheme(current.chart, current.series);
  }, [theme]);

  useEffect(() => {
    const current = chartRef.current;
    if (!current) return;
    current.series.setData(line.map((point) => ({ time: point.time as UTCTimestamp, value: point.value })));
    current.chart.timeScale().fitContent();
  }, [line]);

  return <div ref={containerRef} className="pf-equity__canvas" aria-hidden="true" data-testid="equity-chart" />;
}

/** Total value over time (the start, each trade, hourly snapshots and now), with a range choice. */
export function EquityChart() {
  const headingId = useId();
  const [range, setRange] = useState<EquityRange>('7d');
  const equity = useEquity(range);
  const line = equity.data ? equityLine(equity.data.points) : [];
  const change = equityChange(line);
  const last = line.at(-1);
  return (
    <section className="pf-section" aria-labelledby={headingId}>
      <h2 id={headingId} className="pf-section__title">
        Value over time
      </h2>
      <Card className="pf-equity">
        <SegmentedControl label="Time range" options={RANGES} value={range} onChange={setRange} fill />
        {equity.isPending ? (
          <Skeleton height="12rem" radius="var(--radius-sm)" />
        ) : equity.isError && !equity.data ? (
          <p role="alert" className="pf-muted">
            {describeError(equity.error)}
          </p>
        ) : (
          <>
            <p className="pf-equity__summary">
              {change && last ? (
                <>
                  {formatUsd(last.value)} now ·{' '}
                  <Pnl usd={change.usd.toFixed(2)} pct={change.pct.toFixed(4)} label="change in this range" />
                </>
              ) : null}
            </p>
            <p className="visually-hidden">
              {`Your total value over ${RANGES.find((r) => r.value === range)?.label ?? range}: ${line.length} points, from ${formatUsd(line[0]?.value ?? 0)} to ${formatUsd(last?.value ?? 0)}.`}
            </p>
            <EquityLineChart line={line} />
            <p className="pf-muted pf-equity__note">
              Biggest fall from a high point in this range:{' '}
              <strong data-testid="equity-drawdown">{formatPercent(equity.data.max_drawdown_pct)}</strong>.
              {line.length <= 2 && ' Make a trade to see your line move.'}
            </p>
            <p className="pf-equity__credit">
              Chart by{' '}
              <a href="https://www.tradingview.com/" target="_blank" rel="noreferrer noopener">
                TradingView
              </a>
            </p>
          </>
        )}
      </Card>
    </section>
  );
}
