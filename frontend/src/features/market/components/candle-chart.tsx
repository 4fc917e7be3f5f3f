import { useEffect, useRef } from 'react';
import {
  CandlestickSeries,
  ColorType,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from 'lightweight-charts';

import { useTheme } from '@/lib/theme';
import { type CandleRow } from '@/lib/api';

import { candleToBar } from '../api/ticks';

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Digits a price axis needs so tiny memecoin prices do not all read "0.00". */
function pricePrecision(price: number): number {
  if (!Number.isFinite(price) || price <= 0 || price >= 1) return 2;
  return Math.min(12, Math.max(2, Math.ceil(-Math.log10(price)) + 3));
}

function applyTheme(chart: IChartApi, series: ISeriesApi<'Candlestick'>): void {
  const text = cssVar('--color-text-muted');
  const grid = cssVar('--color-border');
  const up = cssVar('--color-success');
  const down = cssVar('--color-danger');
  chart.applyOptions({
    layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: text },
    grid: { vertLines: { color: grid }, horzLines: { color: grid } },
    rightPriceScale: { borderColor: grid },
    timeScale: { borderColor: grid },
  });
  series.applyOptions({ upColor: up, downColor: down, wickUpColor: up, wickDownColor: down, borderVisible: false });
}

/**
 * A candlestick chart (TradingView's lightweight-charts) of `candles`. When only the forming
 * candle changed or a new one started, it is updated in place instead of redrawing everything.
 */
export function CandleChart({ candles, label }: { candles: readonly CandleRow[]; label: string }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<{ chart: IChartApi; series: ISeriesApi<'Candlestick'> } | null>(null);
  const shownRef = useRef<{ first: number; length: number } | null>(null);
  const { resolved: theme } = useTheme();

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = createChart(container, {
      autoSize: true,
      // The attribution TradingView's licence asks for is a text link under the chart instead.
      layout: { attributionLogo: false },
      timeScale: { timeVisible: true, secondsVisible: false },
      handleScale: { axisPressedMouseMove: true, mouseWheel: false, pinch: true },
      handleScroll: { vertTouchDrag: false },
    });
    const series = chart.addSeries(CandlestickSeries);
    chartRef.current = { chart, series };
    return () => {
      chartRef.current = null;
      shownRef.current = null;
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
    const bars = candles.map((candle) => ({ ...candleToBar(candle), time: candle.t as UTCTimestamp }));
    const shown = shownRef.current;
    const last = bars.at(-1);
    const first = bars[0]?.time ?? 0;
    const isLiveStep =
      shown !== null &&
      last &&
      shown.first === first &&
      (bars.length === shown.length || bars.length === shown.length + 1);
    if (isLiveStep) {
      current.series.update(last);
    } else {
      const precision = pricePrecision(last?.close ?? 0);
      current.series.applyOptions({ priceFormat: { type: 'price', precision, minMove: 10 ** -precision } });
      current.series.setData(bars);
      current.chart.timeScale().fitContent();
    }
    shownRef.current = { first, length: bars.length };
  }, [candles]);

  return (
    <div className="candle-chart">
      <p className="visually-hidden">{label}</p>
      {/* The canvas says nothing to a screen reader; the sentence above does. */}
      <div ref={containerRef} className="candle-chart__canvas" aria-hidden="true" data-testid="candle-chart" />
      <p className="candle-chart__credit">
        Chart by{' '}
        <a href="https://www.tradingview.com/" target="_blank" rel="noreferrer noopener">
          TradingView
        </a>
      </p>
    </div>
  );
}
