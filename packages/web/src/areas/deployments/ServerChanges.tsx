import { Button, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { fieldError } from '../../api.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { ImageSelect } from '../catalog/pickers.tsx';
import { useImages } from '../catalog/queries.ts';
import { MciPicker } from '../mcis/MciPicker.tsx';
import { useAccountId } from '../session/session.tsx';
import { revisionLabel } from '../../ui/labels.ts';
import { usePatchServer, type Server, type ServerPatch, type Warning } from './queries.ts';

interface ChangeProps {
  server: Server;
  onSaved(w: Warning[]): void;
}

/** One patch of a server as a small form: its field's refusal beside it, anything else below. */
function useChange(server: Server, onSaved: (w: Warning[]) => void, field: keyof ServerPatch) {
  const patch = usePatchServer(server);
  return {
    patch: (body: ServerPatch, reset?: () => void) =>
      patch.mutate(body, {
        onSuccess: (saved) => {
          reset?.();
          onSaved(saved.warnings);
        },
      }),
    pending: patch.isPending,
    fieldError: fieldError(patch.error, field),
    otherError: patch.error && !fieldError(patch.error, field) ? patch.error : null,
  };
}

/** Re-points the server at another MCI that covers its cloud; image and type are re-resolved. */
export function ChangeMci({ server, cloudName, onSaved }: ChangeProps & { cloudName: string }) {
  const [mciId, setMciId] = useState<string | null>(null);
  const change = useChange(server, onSaved, 'mciId');
  return (
    <Paper withBorder p="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (mciId) change.patch({ mciId }, () => setMciId(null));
        }}
      >
        <Stack gap="sm">
          <Text fw={500}>Change MCI</Text>
          <MciPicker
            label="MultiCloud Image"
            description={`MCIs with a setting for ${cloudName}; image and type are re-resolved`}
            cloudId={server.cloudId}
            where={(m) => m.id !== server.mciId}
            labelOf={(m) => `${m.name} — ${revisionLabel(m.revision)}`}
            value={mciId}
            onChange={setMciId}
            error={change.fieldError}
            nothingFoundMessage="No other MCI covers this cloud"
          />
          {change.otherError && <ProblemAlert error={change.otherError} />}
          <Button type="submit" disabled={!mciId} loading={change.pending}>
            Use this MCI
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}

/** Points the server at another image it can use in its cloud (inherited ← you). */
export function ChangeImage({ server, cloudName, onSaved }: ChangeProps & { cloudName: string }) {
  const accountId = useAccountId();
  const [q, setQ] = useState('');
  const [imageId, setImageId] = useState<string | null>(null);
  const images = useImages(server.cloudId, { usableBy: accountId, q });
  const change = useChange(server, onSaved, 'imageId');
  return (
    <Paper withBorder p="md">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (imageId) change.patch({ imageId }, () => setImageId(null));
        }}
      >
        <Stack gap="sm">
          <Text fw={500}>Change image</Text>
          <TextInput
            label="Find image"
            placeholder="name or ami-…"
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
          />
          <ImageSelect
            label="Image"
            description={`Any image this account can use in ${cloudName}`}
            images={images}
            exclude={server.imageId}
            value={imageId}
            onChange={setImageId}
            error={change.fieldError}
          />
          {change.otherError && <ProblemAlert error={change.otherError} />}
          <Button type="submit" disabled={!imageId} loading={change.pending}>
            Use this image
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
