import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Recent probe latencies as a small uPlot line; failed runs are gaps. */
export function Sparkline({ values, width = 140, height = 32 }: { values: (number | null)[]; width?: number; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    if (!ref.current) return;
    plot.current = new uPlot(
      {
        width,
        height,
        cursor: { show: false },
        legend: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: false } },
        series: [{}, { stroke: '#4aa3ff', width: 1.5, spanGaps: false, points: { show: false } }],
      },
      [[], []],
      ref.current,
    );
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [width, height]);

  useEffect(() => {
    plot.current?.setData([values.map((_, i) => i), values.map((v) => v)] as uPlot.AlignedData);
  }, [values]);

  return <div ref={ref} className="sparkline" aria-hidden="true" />;
}
