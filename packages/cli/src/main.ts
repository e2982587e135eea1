import { Command, CommanderError } from 'commander';
import { registerCatalog } from './commands/catalog.ts';
import { registerCloud } from './commands/cloud.ts';
import { registerCredentials } from './commands/credentials.ts';
import { registerDeployments } from './commands/deployment.ts';
import { registerFormats } from './commands/formats.ts';
import { registerMarketplace } from './commands/marketplace.ts';
import { registerMcis } from './commands/mci.ts';
import { registerSession } from './commands/session.ts';
import { registerTemplates } from './commands/template.ts';
import { registerTokens } from './commands/token.ts';
import { CliContext, type GlobalOptions } from './context.ts';
import { ApiError, EXIT, UnreachableError, UsageError } from './errors.ts';
import { RightStError } from './right-st/right-st.ts';

/** Wraps a command's action: builds its context from the global options. */
export type Run = (
  fn: (ctx: CliContext, ...args: any[]) => Promise<void>,
) => (...args: any[]) => Promise<void>;

const HELP_FOOTER = `
Exit codes: 0 ok, 1 usage error, 2 refused by the server, 3 cannot reach the server.
Output is a table for people; --json prints JSON for scripts. Progress bars appear on a terminal only.`;

/** Prints an error the way each exit code promises and returns that code. */
function report(err: unknown, json: boolean): number {
  if (err instanceof ApiError) {
    const code = err.problem.code ? ` (${err.problem.code})` : '';
    if (json) process.stderr.write(`${JSON.stringify({ status: err.status, ...err.problem })}\n`);
    else {
      process.stderr.write(`error: ${err.message}${code}\n`);
      for (const e of err.problem.errors ?? []) process.stderr.write(`  ${e.path}: ${e.message}\n`);
    }
    return EXIT.refused;
  }
  if (err instanceof UnreachableError) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.unreachable;
  }
  if (err instanceof RightStError) {
    process.stderr.write(
      `error: the file is not valid right_st YAML:\n${err.errors.map((e) => `  ${e}`).join('\n')}\n`,
    );
    return EXIT.usage;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.usage;
  }
  throw err;
}

/** Builds the `mci` program; exported for tests. */
export function buildProgram(): Command {
  const program = new Command('mci')
    .description('MultiCloud Images from the shell: catalog, MCIs, ServerTemplates, servers, marketplace')
    .option('--json', 'print JSON instead of tables')
    .option(
      '-a, --account <id>',
      'the account to act in (default: the one chosen at login or with `mci use`)',
    )
    .option('--server <url>', 'the server (default: the one stored by `mci login`)')
    .option('--token <token>', 'an API token (default: the stored one, or $MCI_TOKEN)')
    .addHelpText('after', HELP_FOOTER)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const run: Run =
    (fn) =>
    async (...args) => {
      const ctx = await CliContext.load(program.opts<GlobalOptions>());
      await fn(ctx, ...args.slice(0, -1));
    };
  registerSession(program, run);
  registerCatalog(program, run);
  registerMcis(program, run);
  registerFormats(program, run);
  registerTemplates(program, run);
  registerDeployments(program, run);
  registerMarketplace(program, run);
  registerTokens(program, run);
  registerCloud(program, run);
  registerCredentials(program, run);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Runs `mci` with `argv` and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version'
        ? EXIT.ok
        : EXIT.usage;
    }
    return report(err, Boolean(program.opts<GlobalOptions>().json));
  }
}
