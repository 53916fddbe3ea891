// `npm run bench -- <name>`: benchmarks print figures; they assert nothing.
const benches: Record<string, () => Promise<void>> = {
  audit: async () => (await import('./audit.js')).run(),
  ingest: async () => (await import('./ingest.js')).run(),
  paging: async () => (await import('./paging.js')).run(),
  renderer: async () => (await import('./renderer.js')).run(),
  probes: async () => (await import('./probes.js')).run(),
  kpi: async () => (await import('./kpi.js')).run(),
  history: async () => (await import('./history.js')).run(),
  phi: async () => (await import('./phi.js')).run(),
  storm: async () => (await import('./storm.js')).run(),
};

const name = process.argv[2];
const bench = name ? benches[name] : undefined;
if (!bench) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}>`);
  process.exit(1);
}
bench().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
