import { Button, Group, Stack } from '@mantine/core';
import { useState } from 'react';
import { fieldError } from '../../api.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { SearchSelect } from '../../ui/SearchSelect.tsx';
import { MciPicker } from '../mcis/MciPicker.tsx';
import { useMciLineage } from '../mcis/queries.ts';
import { useAddLink, type Template, type TemplateLink } from './queries.ts';

/** The revisions of one link's MCI lineage, HEAD first; choosing one re-points the link (R-ST-1). */
export function LinkRevisionSelect({
  link,
  onChange,
}: {
  link: TemplateLink;
  onChange(mciId: string): void;
}) {
  const revisions = useMciLineage(link.mciLineageId);
  const options = (revisions.items ?? [{ id: link.mciId, revision: link.mciRevision, commitMessage: null }])
    .slice()
    .sort((a, b) => (a.revision === 0 ? -1 : b.revision === 0 ? 1 : b.revision - a.revision))
    .map((m) => ({
      value: m.id,
      label: m.revision === 0 ? 'HEAD' : `r${m.revision}${m.commitMessage ? ` — ${m.commitMessage}` : ''}`,
    }));
  return (
    <SearchSelect
      size="xs"
      searchable={false}
      aria-label={`Revision of ${link.mciName}`}
      source={{ ...revisions, options }}
      value={link.mciId}
      onChange={(v) => v && v !== link.mciId && onChange(v)}
      allowDeselect={false}
      comboboxProps={{ width: 320, position: 'bottom-start' }}
    />
  );
}

/** Links another MCI lineage's revision to a HEAD. */
export function AddLink({ template }: { template: Template }) {
  const [mciId, setMciId] = useState<string | null>(null);
  const add = useAddLink(template.id);
  const linked = new Set(template.links.map((l) => l.mciLineageId));
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (mciId) add.mutate(mciId, { onSuccess: () => setMciId(null) });
      }}
    >
      <Stack gap="xs">
        <Group align="flex-end">
          <MciPicker
            label="Link a MultiCloud Image"
            placeholder="Pick an MCI revision"
            w={360}
            where={(m) => !linked.has(m.lineageId)}
            value={mciId}
            onChange={setMciId}
            error={fieldError(add.error, 'mciId')}
            nothingFoundMessage="No other MCI"
          />
          <Button type="submit" variant="light" disabled={!mciId} loading={add.isPending}>
            Link
          </Button>
        </Group>
        {add.error && !fieldError(add.error, 'mciId') && <ProblemAlert error={add.error} />}
      </Stack>
    </form>
  );
}
