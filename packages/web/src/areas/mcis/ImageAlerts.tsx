import { Alert, Code, Stack, Text } from '@mantine/core';
import { stateReason, useMciImageAlerts } from '../catalog/impact.ts';

/** R-CLD-5 on the MCI page: the clouds whose image is deprecated or unavailable, and why. */
export function ImageAlerts({ mciId }: { mciId: string }) {
  const alerts = useMciImageAlerts(mciId);
  const items = alerts.data?.items ?? [];
  if (items.length === 0) return null;
  const unavailable = items.some((i) => i.state === 'unavailable');
  return (
    <Alert
      color={unavailable ? 'red' : 'yellow'}
      title={`${items.length} cloud${items.length === 1 ? '' : 's'} of this MCI use${items.length === 1 ? 's' : ''} an image that is ${unavailable ? 'unavailable or deprecated' : 'deprecated'}`}
      data-testid="image-alerts"
    >
      <Stack gap={4}>
        {items.map((i) => (
          <Text key={i.cloudId} size="sm">
            <b>{i.cloudName}</b>: <Code>{i.imageResourceUid}</Code> {i.imageName} — {stateReason(i)}
            {i.lastChange?.reason ? ` · ${i.lastChange.reason}` : ''}
            {i.lastChange ? ` (${new Date(i.lastChange.at).toLocaleString()})` : ''}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}
