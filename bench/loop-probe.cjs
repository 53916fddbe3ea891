// Preloaded into the console process by the storm bench (`node -r`): its
// event-loop delay, measured by Node itself (perf_hooks), written to the file
// named by MAOC_LOOP_FILE on SIGUSR2 — then measured afresh. Node's histogram
// holds the time between its timer's runs, the sampling interval included (an
// idle loop reads 5.08 ms at 5 ms): the interval is taken off, so the figures
// are how late the loop was. Nothing of the console's own code is changed for
// the benchmark.
'use strict';
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { writeFileSync } = require('node:fs');

const file = process.env.MAOC_LOOP_FILE;
if (file) {
  const RESOLUTION_MS = 5;
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
    writeFileSync(file, JSON.stringify({ p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), samples: h.count }));
    h.reset();
  });
}
