import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  available: 'green',
  deprecated: 'yellow',
  unavailable: 'red',
  active: 'green',
};

/** An image or publication state at a glance. */
export function StateBadge({ state }: { state: string }) {
  return (
    <Badge color={COLORS[state] ?? 'gray'} variant="light">
      {state}
    </Badge>
  );
}
