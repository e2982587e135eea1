import type { SelectProps } from '@mantine/core';
import { SearchSelect, usePickerSearch } from '../../ui/SearchSelect.tsx';
import type { Paged } from '../../ui/paged.ts';
import { useCloudSearch, useInstanceTypes, type CpuArchitecture, type Image } from './queries.ts';

type PickerProps = Omit<SelectProps, 'data' | 'searchable' | 'searchValue' | 'onSearchChange'>;

/** A cloud, searched by name on the server; `exclude` hides clouds already taken. */
export function CloudSelect({ exclude, ...props }: PickerProps & { exclude?: ReadonlySet<string> }) {
  const search = usePickerSearch();
  const clouds = useCloudSearch(search.q);
  const options = (clouds.items ?? [])
    .filter((c) => !exclude?.has(c.id) || c.id === props.value)
    .map((c) => ({ value: c.id, label: c.name }));
  return <SearchSelect {...props} source={{ ...clouds, options }} search={search.bind} />;
}

/** How an image reads in a picker: name, resource UID, architecture, and a deprecation. */
export function imageLabel(i: Image, withState = true): string {
  const deprecated = withState && i.state === 'deprecated' ? ', deprecated' : '';
  return `${i.name} (${i.resourceUid}, ${i.cpuArchitecture}${deprecated})`;
}

/** One of the images a search found (the search box beside it asks the server), paged on scroll. */
export function ImageSelect({
  images,
  exclude,
  withState,
  ...props
}: PickerProps & { images: Paged<Image>; exclude?: string; withState?: boolean }) {
  const options = (images.items ?? [])
    .filter((i) => i.id !== exclude)
    .map((i) => ({ value: i.id, label: imageLabel(i, withState) }));
  return <SearchSelect {...props} source={{ ...images, options }} />;
}

/** An instance type of a cloud that fits an architecture, paged on scroll. */
export function InstanceTypeSelect({
  cloudId,
  cpuArchitecture,
  ...props
}: PickerProps & { cloudId: string | null; cpuArchitecture: CpuArchitecture | undefined }) {
  const types = useInstanceTypes(cloudId, cpuArchitecture, { enabled: Boolean(cpuArchitecture) });
  const options = (types.items ?? []).map((t) => ({
    value: t.id,
    label: `${t.resourceUid} (${t.cpuCount} vCPU, ${t.memoryMb} MB)`,
  }));
  return <SearchSelect {...props} source={{ ...types, options }} />;
}
