import { Button, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { fieldError } from '../../api.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { CloudSelect, ImageSelect, InstanceTypeSelect } from '../catalog/pickers.tsx';
import { useImages, type Image } from '../catalog/queries.ts';
import { useAccountId } from '../session/session.tsx';
import { useSaveSetting, type Mci } from './queries.ts';

/**
 * Adds a cloud to an MCI, or replaces a cloud's image: only images this account can use in the
 * chosen cloud (the API's `usableBy`), and instance types that fit the image's architecture.
 */
export function SettingDialog({
  mci,
  replaceCloudId,
  onClose,
}: {
  mci: Mci;
  replaceCloudId?: string;
  onClose(): void;
}) {
  const accountId = useAccountId();
  const [cloudId, setCloudId] = useState<string | null>(replaceCloudId ?? null);
  const [image, setImage] = useState<Image | null>(null);
  const [typeId, setTypeId] = useState<string | null>(null);
  const [userData, setUserData] = useState('');
  const [q, setQ] = useState('');
  const images = useImages(cloudId, { usableBy: accountId, q });
  const save = useSaveSetting(mci.id);
  const taken = new Set(mci.settings.map((s) => s.cloudId).filter((c) => c !== replaceCloudId));
  return (
    <Modal
      opened
      onClose={onClose}
      title={replaceCloudId ? 'Replace a cloud’s image' : 'Add a cloud'}
      size="lg"
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(
            {
              cloudId: cloudId ?? '',
              replace: Boolean(replaceCloudId),
              imageId: image?.id ?? '',
              instanceTypeId: typeId ?? '',
              userData: userData || undefined,
            },
            { onSuccess: onClose },
          );
        }}
      >
        <Stack>
          <CloudSelect
            label="Cloud"
            disabled={Boolean(replaceCloudId)}
            exclude={taken}
            value={cloudId}
            onChange={(v) => {
              setCloudId(v);
              setImage(null);
              setTypeId(null);
            }}
            error={fieldError(save.error, 'cloudId')}
          />
          <TextInput
            label="Find image"
            placeholder="name or ami-…"
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
            disabled={!cloudId}
          />
          <ImageSelect
            label="Image"
            disabled={!cloudId}
            images={images}
            value={image?.id ?? null}
            onChange={(v) => {
              setImage(images.items?.find((i) => i.id === v) ?? null);
              setTypeId(null);
            }}
            error={fieldError(save.error, 'imageId')}
          />
          <InstanceTypeSelect
            label="Instance type"
            disabled={!image}
            cloudId={cloudId}
            cpuArchitecture={image?.cpuArchitecture}
            value={typeId}
            onChange={setTypeId}
            error={fieldError(save.error, 'instanceTypeId')}
          />
          <Textarea
            label="User data (optional)"
            value={userData}
            onChange={(e) => setUserData(e.currentTarget.value)}
            autosize
            minRows={2}
            error={fieldError(save.error, 'userData')}
          />
          {save.error && <ProblemAlert error={save.error} />}
          <Button type="submit" loading={save.isPending} disabled={!cloudId || !image || !typeId}>
            {replaceCloudId ? 'Replace' : 'Add'}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
