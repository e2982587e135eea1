import type { ApiClient } from '@mci/client';
import { connect } from './api.ts';
import { readConfig, type CliConfig } from './config.ts';
import { UsageError } from './errors.ts';
import { createOutput, type Output } from './output.ts';

/** Global options every command sees. */
export interface GlobalOptions {
  json?: boolean;
  account?: string;
  server?: string;
  token?: string;
}

/** What a command needs: output, a logged-in client, and the account to act in. */
export class CliContext {
  readonly out: Output;
  private config: CliConfig | undefined;

  constructor(
    readonly options: GlobalOptions,
    config: CliConfig | undefined,
  ) {
    this.out = createOutput(Boolean(options.json));
    this.config = config;
  }

  static async load(options: GlobalOptions): Promise<CliContext> {
    return new CliContext(options, await readConfig());
  }

  get server(): string {
    const server = this.options.server ?? (process.env.MCI_SERVER || undefined) ?? this.config?.server;
    if (!server)
      throw new UsageError('not logged in: run `mci login <url>` first (or pass --server and --token)');
    return server;
  }

  /** The API client, authenticated with --token, $MCI_TOKEN or the stored token. */
  client(): ApiClient {
    const token = this.options.token ?? (process.env.MCI_TOKEN || undefined) ?? this.config?.token;
    if (!token) throw new UsageError('not logged in: run `mci login <url>` first (or pass --token)');
    return connect(this.server, token);
  }

  /** The account to act in: --account, $MCI_ACCOUNT, or the default chosen at login / `mci use`. */
  account(): string {
    const account = this.options.account ?? (process.env.MCI_ACCOUNT || undefined) ?? this.config?.account;
    if (!account)
      throw new UsageError('no account: pass --account <id> or choose a default with `mci use <accountId>`');
    return account;
  }
}
