import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** What `mci login` stores: the server, a token, and the default account. */
export interface CliConfig {
  server: string;
  token: string;
  account?: string;
}

/** `$MCI_CONFIG`, else `$XDG_CONFIG_HOME/mci/config.json`, else `~/.config/mci/config.json`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MCI_CONFIG) return env.MCI_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'mci', 'config.json');
}

export async function readConfig(path = configPath()): Promise<CliConfig | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as CliConfig;
  } catch {
    return undefined;
  }
}

/** Writes the config readable by its owner only (mode 0600): it holds a bearer token. */
export async function writeConfig(config: CliConfig, path = configPath()): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

export async function deleteConfig(path = configPath()): Promise<void> {
  await rm(path, { force: true });
}
