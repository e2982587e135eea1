import { Badge, Group } from '@mantine/core';
import { StateBadge } from '../../ui/StateBadge.tsx';
import type { Inherited, Server } from './queries.ts';

const STATE_COLORS: Record<string, string> = {
  inactive: 'gray',
  pending: 'yellow',
  booting: 'blue',
  operational: 'green',
  terminating: 'orange',
  stopped: 'red',
};

/** A server's state at a glance. */
export function ServerStateBadge({ state }: { state: string }) {
  return <StateBadge state={state} colors={STATE_COLORS} />;
}

const FROM: Record<Inherited, { label: string; color: string }> = {
  server_template: { label: 'template', color: 'grape' },
  mci: { label: 'MCI', color: 'blue' },
  user: { label: 'you', color: 'orange' },
};

/** Where one field of a server came from (R-SRV-3): "← template", "← MCI" or "← you". */
export function InheritedBadge({
  source,
  field,
  size = 'xs',
}: {
  source: Inherited;
  field?: string;
  size?: 'xs' | 'sm';
}) {
  const from = FROM[source];
  return (
    <Badge size={size} variant="light" color={from.color} tt="none" title={`inherited from ${source}`}>
      {field ? `${field} ` : ''}← {from.label}
    </Badge>
  );
}

/** The three inherited sources of a server as small badges. */
export function InheritedBadges({ source }: { source: Server['inheritedSource'] }) {
  return (
    <Group gap={4} wrap="nowrap">
      <InheritedBadge field="MCI" source={source.mci} />
      <InheritedBadge field="image" source={source.image} />
      <InheritedBadge field="type" source={source.instanceType} />
    </Group>
  );
}
