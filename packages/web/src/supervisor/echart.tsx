import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only the parts the wallboard draws, so the bundle carries no unused chart types.
echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type ChartOption = Parameters<echarts.ECharts['setOption']>[0];

/**
 * One ECharts instance bound to a div. New options are merged into the live chart (no re-creation),
 * so a frame every half second animates instead of redrawing (unless the user asks for reduced
 * motion: then every update is drawn at once); the chart follows the div's size.
 */
export function EChart({ option, height, testId }: { option: ChartOption; height: number; testId?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const instance = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    const animation = !window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    chart.current?.setOption({ animation, ...option }, { replaceMerge: ['series'], lazyUpdate: true });
  }, [option]);
  return <div ref={el} style={{ height, width: '100%' }} data-testid={testId} />;
}
