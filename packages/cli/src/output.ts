import cliProgress from 'cli-progress';
import Table from 'cli-table3';

/** Where a command prints: tables for people, JSON for scripts. */
export interface Output {
  json: boolean;
  /** Prints `data` as JSON, or as a table of `columns` (key → header) for arrays, or key/value rows. */
  print(data: unknown, columns?: Record<string, string>): void;
  /** A line for people (suppressed with --json). */
  info(line: string): void;
  /** A progress bar on a terminal; a no-op with --json or when stderr is not a TTY. */
  progress(label: string, total?: number): Progress;
}

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/** Borderless columns, like `kubectl get`: easy to read and to grep. */
const PLAIN = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};
const PLAIN_STYLE = { head: [], border: [], 'padding-left': 0, 'padding-right': 0 };

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cell).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function createOutput(
  json: boolean,
  stream: NodeJS.WriteStream = process.stdout,
  err: NodeJS.WriteStream = process.stderr,
): Output {
  return {
    json,
    print(data, columns) {
      if (json) {
        stream.write(`${JSON.stringify(data, null, 2)}\n`);
        return;
      }
      if (Array.isArray(data)) {
        const keys = columns ? Object.keys(columns) : Object.keys((data[0] as object) ?? {});
        if (data.length === 0) {
          stream.write('(none)\n');
          return;
        }
        const table = new Table({
          head: keys.map((k) => columns?.[k] ?? k),
          chars: PLAIN,
          style: PLAIN_STYLE,
        });
        for (const row of data as Record<string, unknown>[]) table.push(keys.map((k) => cell(row[k])));
        stream.write(`${table.toString()}\n`);
        return;
      }
      if (data && typeof data === 'object') {
        const keys = columns ? Object.keys(columns) : Object.keys(data);
        const width = Math.max(...keys.map((k) => (columns?.[k] ?? k).length));
        for (const k of keys)
          stream.write(
            `${`${columns?.[k] ?? k}:`.padEnd(width + 2)}${cell((data as Record<string, unknown>)[k])}\n`,
          );
        return;
      }
      stream.write(`${cell(data)}\n`);
    },
    info(line) {
      if (!json) stream.write(`${line}\n`);
    },
    progress(label, total) {
      if (json || !err.isTTY) return { update() {}, stop() {} };
      const bar = new cliProgress.SingleBar(
        {
          format: `${label} [{bar}] {value}${total ? '/{total}' : ''}`,
          stream: err,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total ?? 0, 0);
      return {
        update(done, newTotal) {
          if (newTotal !== undefined) bar.setTotal(newTotal);
          else if (!total) bar.setTotal(Math.max(done, 1));
          bar.update(done);
        },
        stop() {
          bar.stop();
        },
      };
    },
  };
}
