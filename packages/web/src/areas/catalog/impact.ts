import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api.ts';
import { areaKey } from '../cache.ts';
import { useAccountId } from '../session/session.tsx';

export type ImageImpactReport = Schemas['ImageImpactReport'];
export type ImageImpact = Schemas['ImageImpact'];
export type ImageChange = Schemas['ImageChange'];
export type MciImageAlerts = Schemas['MciImageAlerts'];

export const impactKeys = {
  image: (imageId: string | null) => ['catalog', 'impact', imageId] as const,
  mciAlerts: (a: string, mciId: string) => [...areaKey('mcis', a), 'detail', mciId, 'image-alerts'] as const,
};

/** R-CLD-5: what references an image now and at each of its recorded changes (the newest page). */
export function useImageImpact(cloudId: string | null, imageId: string | null) {
  return useQuery({
    queryKey: impactKeys.image(imageId),
    enabled: Boolean(cloudId && imageId),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/clouds/{c}/images/{id}/impact', {
          params: { path: { c: cloudId!, id: imageId! }, query: { limit: 20 } },
        }),
      ),
  });
}

/** The settings of an MCI revision whose image is deprecated or unavailable, with the last change. */
export function useMciImageAlerts(mciId: string) {
  const a = useAccountId();
  return useQuery({
    queryKey: impactKeys.mciAlerts(a, mciId),
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/mcis/{id}/image-alerts', { params: { path: { a, id: mciId } } }),
      ),
  });
}

/** An image's state in a sentence: why and since when it is deprecated or unavailable. */
export function stateReason(image: {
  state: string;
  deprecatedAt: string | null;
  unavailableReason: string | null;
  unavailableAt: string | null;
}): string | null {
  if (image.state === 'unavailable') {
    const since = image.unavailableAt ? ` since ${new Date(image.unavailableAt).toLocaleString()}` : '';
    return `unavailable${image.unavailableReason ? ` (${image.unavailableReason})` : ''}${since}`;
  }
  if (image.state === 'deprecated') {
    return `deprecated${image.deprecatedAt ? ` since ${new Date(image.deprecatedAt).toLocaleString()}` : ''}`;
  }
  return null;
}
