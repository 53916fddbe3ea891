import { describe, expect, it } from 'vitest';
import { parseProbeFile } from '../../src/main/probes/probe-config.js';
import { loadProbes } from '../../src/main/probes/probe-config.js';
import { resourcePath } from '../../src/main/platform/paths.js';

describe('probe configuration', () => {
  it('ships a default set that validates and mirrors the daily health check', () => {
    const { probes, errors } = loadProbes('default', '/nonexistent-data-dir');
    expect(errors).toEqual([]);
    expect(resourcePath('probes.default.yaml')).toMatch(/resources\/probes\.default\.yaml$/);
    expect(probes.map((p) => p.kind).sort()).toEqual(['http', 'http', 'metrics', 'postgres', 'redis', 'system', 'tls']);
    const targets = probes.map((p) => ('url' in p ? p.url : 'port' in p ? `:${p.port}` : p.kind));
    expect(targets).toEqual(expect.arrayContaining(['http://127.0.0.1:8000/health', 'http://127.0.0.1:8001/health', ':5432', ':6379', 'http://127.0.0.1:8000/metrics']));
  });

  it('gives one clear error for a file that is not YAML, naming the file and line', () => {
    const r = parseProbeFile('probes:\n  - id: api\n    kind: http\n   url: [oops\n', 'probes.yaml');
    expect(r.probes).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^E_PROBE_CONFIG: probes\.yaml: line \d+: invalid YAML/);
  });

  it('names the probe, field and line of an unknown kind and a negative interval, and keeps the good probes', () => {
    const text = [
      'probes:',
      '  - id: good',
      '    name: Good',
      '    kind: tcp',
      '    host: 127.0.0.1',
      '    port: 5432',
      '  - id: weird',
      '    name: Weird',
      '    kind: smoke-signal',
      '  - id: negative',
      '    name: Negative',
      '    kind: redis',
      '    interval: -5',
      '',
    ].join('\n');
    const r = parseProbeFile(text, 'probes.yaml');
    expect(r.probes.map((p) => p.id)).toEqual(['good']);
    expect(r.errors).toHaveLength(2);
    expect(r.errors[0]).toMatch(/^E_PROBE_CONFIG: probes\.yaml: line 9: probe "weird": kind: /);
    expect(r.errors[1]).toBe('E_PROBE_CONFIG: probes.yaml: line 13: probe "negative": interval: must be a positive number of milliseconds');
  });
});
