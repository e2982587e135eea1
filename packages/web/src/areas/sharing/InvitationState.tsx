import { StateBadge } from '../../ui/StateBadge.tsx';

const INVITATION_COLORS: Record<string, string> = {
  pending: 'blue',
  accepted: 'green',
  cancelled: 'gray',
  expired: 'orange',
};

/** An invitation's state at a glance. */
export function InvitationState({ state }: { state: string }) {
  return <StateBadge state={state} colors={INVITATION_COLORS} />;
}
