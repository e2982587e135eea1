import { Text } from '@mantine/core';
import { revisionLabel } from '../../ui/labels.ts';
import type { MciLabel } from './MciPicker.tsx';
import type { MciSetting } from './queries.ts';

/** One cloud's setting in a diff or a conflict: image, resource UID, type and user data size. */
export function SettingCell({ s }: { s: MciSetting | null }) {
  if (!s) return <Text c="dimmed">—</Text>;
  return (
    <div>
      <Text size="sm">{s.imageName}</Text>
      <Text size="xs" ff="monospace" c="dimmed">
        {s.imageResourceUid} · {s.instanceTypeName}
        {s.userData ? ` · user data ${s.userData.length} B` : ''}
      </Text>
    </div>
  );
}

/** A revision to compare or merge with: name, revision and commit message. */
export const otherRevisionLabel: MciLabel = (m) =>
  `${m.name} — ${revisionLabel(m.revision)}${m.commitMessage ? ` (${m.commitMessage})` : ''}`;
