#!/usr/bin/env node
/** `alliance`: the programme office's, institutions', PIs', reviewers' and auditors' command line. */
import { type Command, CommanderError } from 'commander';
import { ConfigurationError } from '../../domain/environment';
import { AllianceError, errorCodes } from '../../domain/errors';
import { buildProgram, type Globals, type Runner } from './program';
import { connectSession, type Session } from './session';

let exitStatus = 0;

const run: Runner =
  (action) =>
  async (...received: unknown[]) => {
    const command = received.at(-1) as Command;
    const opts = received.at(-2) as Record<string, string>;
    const args = (received.slice(0, -2) as (string | string[] | undefined)[]).flatMap((a) => (a === undefined ? [] : Array.isArray(a) ? a : [a]));
    const globals = command.optsWithGlobals<Globals>();
    const print = (human: string, data: unknown) => console.log(globals.json ? JSON.stringify(data, null, 2) : human);
    // Opened when an action first asks for it: the operators' offline commands (payload-keys rotate,
    // audit keygen, backup) run on the service's host with no API configured.
    let session: Session | undefined;
    try {
      await action({
        get session() {
          return (session ??= connectSession());
        },
        print,
        globals,
        args,
        opts,
      });
    } finally {
      await session?.close();
    }
  };

async function main(): Promise<void> {
  const program = buildProgram(run);
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; a usage mistake is a validation error.
      exitStatus = error.exitCode === 0 ? 0 : errorCodes.VALIDATION.exitStatus;
      return;
    }
    if (error instanceof AllianceError) {
      console.error(`${error.code}: ${error.message}`);
      for (const detail of error.details) console.error(`  - ${detail}`);
      exitStatus = errorCodes[error.code].exitStatus;
      return;
    }
    if (error instanceof ConfigurationError) {
      for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
      exitStatus = errorCodes.VALIDATION.exitStatus;
      return;
    }
    console.error(error instanceof Error ? error.message : error);
    exitStatus = 1;
  }
}

// A reader that stops early (`alliance completion bash | head`) ends the output, not with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(exitStatus);
});

// A command that ran one of the service's tools (onServiceHost) ends with that tool's status.
void main().then(() => process.exit(exitStatus !== 0 ? exitStatus : Number(process.exitCode ?? 0)));
