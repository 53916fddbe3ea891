import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  values: number[];
}

/**
 * Counts per time bucket as stepped lines, one per series (uPlot on a canvas).
 * The figures behind it are in the tables next to it; the chart is for shape.
 */
export function TimeChart({ title, bucketStarts, end, series, height = 200 }: { title: string; bucketStarts: string[]; end: string; series: ChartSeries[]; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const width = Math.max(320, el.clientWidth || 640);
    // each value holds from its bucket's start to the next; the end point closes the last bucket
    const x = [...bucketStarts, end].map((t) => Date.parse(t) / 1000);
    const plot = new uPlot(
      {
        width,
        height,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { stroke: '#9aa7b3', grid: { stroke: '#2a333c' }, ticks: { stroke: '#2a333c' } },
          { stroke: '#9aa7b3', grid: { stroke: '#2a333c' }, ticks: { stroke: '#2a333c' }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
        ],
        series: [
          {},
          ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } })),
        ],
      },
      [x, ...series.map((s) => [...s.values, s.values[s.values.length - 1] ?? 0])] as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [bucketStarts, end, series, height]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={ref} role="img" aria-label={title} />
    </figure>
  );
}
