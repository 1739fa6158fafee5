/** The README's runnable parts: the tour's shell blocks (each marked `<!-- tour -->`) and the start-up banner. */
export function tourBlocks(readme: string): string[] {
  return [...readme.matchAll(/<!-- tour -->\n```sh\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
}

/**
 * The tour as a bash script for the test service: the API URL is the test's, `alliance login`
 * takes the log-in of the account its comment names (the test holds one per account; the log-in
 * itself is test/server/login.test.ts's), `npx alliance` is the built command, and with
 * `calendar` the call opens under that try-out calendar instead of `tour`.
 */
export function tourScript(blocks: string[], options: { apiUrl: string; alliance: string; calendar?: string }): string {
  const lines = blocks
    .join('\n')
    .split('\n')
    .map((line) => {
      if (options.calendar) line = line.replace(/--calendar tour\b/, `--calendar ${options.calendar}`);
      if (/^export ALLIANCE_API_URL=/.test(line)) return `export ALLIANCE_API_URL=${options.apiUrl}`;
      const login = /^(\s*)npx alliance login\s+# as (\S+)\s*$/.exec(line);
      if (login) return `${login[1]}__login ${login[2]}`;
      if (/npx alliance login/.test(line)) throw new Error(`a tour log-in must name its account in a comment ("# as kao"): ${line}`);
      return line.replace(/npx alliance /g, `${options.alliance} `);
    });
  return ['set -euo pipefail', '__login() { cp "$LOGINS/$1.json" "$ALLIANCE_CREDENTIALS"; }', ...lines].join('\n');
}

/** The accounts the tour logs in as, in order of first use (a loop's `$var` expands to its list). */
export function tourAccounts(blocks: string[]): string[] {
  const text = blocks.join('\n');
  const names = [...text.matchAll(/npx alliance login\s+# as (\S+)/g)].map((m) => m[1]!);
  const loops = new Map([...text.matchAll(/for (\w+) in ([^;]+);/g)].map((m) => [`$${m[1]}`, m[2]!.trim().split(/\s+/)]));
  return [...new Set(names.flatMap((name) => loops.get(name) ?? [name]))];
}

/** The labels of the banner the README shows under "What you will see". */
export function bannerLabelsIn(readme: string): string[] {
  const block = /```\nAlliance orchestration service is running:\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const lines = block.split('\n');
  const end = lines.findIndex((l) => !/^ {2}\S/.test(l));
  return lines.slice(0, end === -1 ? lines.length : end).map((l) => l.trim().split(/\s{2,}/)[0]!);
}
