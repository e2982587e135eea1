import { Badge } from '@mantine/core';

/** Colours of image and publication states, the default palette. */
const COLORS: Record<string, string> = {
  available: 'green',
  deprecated: 'yellow',
  unavailable: 'red',
  active: 'green',
};

/** A state at a glance (image, publication, server, invitation): its name in its colour, grey if unknown. */
export function StateBadge({ state, colors = COLORS }: { state: string; colors?: Record<string, string> }) {
  return (
    <Badge color={colors[state] ?? 'gray'} variant="light">
      {state}
    </Badge>
  );
}
