import { Badge } from '@mantine/core';

const INVITATION_COLORS: Record<string, string> = {
  pending: 'blue',
  accepted: 'green',
  cancelled: 'gray',
  expired: 'orange',
};

/** An invitation's state at a glance. */
export function InvitationState({ state }: { state: string }) {
  return (
    <Badge color={INVITATION_COLORS[state] ?? 'gray'} variant="light">
      {state}
    </Badge>
  );
}
