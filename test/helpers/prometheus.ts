import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repositoryRoot } from '../../worker/temporal-binaries';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus's own parser of its text format (prometheus_client, from requirements-test.txt): what a scraper would read. */
const PARSER = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        samples.append({"name": s.name, "labels": s.labels, "value": s.value if math.isfinite(s.value) else None})
print(json.dumps(samples))
`;

/** Every sample of a /metrics answer; throws when the text is not the exposition format. */
export function parsePrometheus(text: string): Sample[] {
  const python = path.join(repositoryRoot, '.venv/bin/python');
  return JSON.parse(execFileSync(python, ['-c', PARSER], { input: text, encoding: 'utf8' })) as Sample[];
}

/** The value of the one sample named so whose labels include `labels`, or undefined. */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
