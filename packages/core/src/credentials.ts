/** Cloud credentials (R-CLD-1): what of them any read may show. */

/**
 * R-CLD-1: the access key id as reads show it, its middle hidden (`AKIA…WXYZ`); short ids show
 * their last characters only. The secret itself is never shown, only a fingerprint.
 * @rule R-CLD-1
 */
export function accessKeyHint(accessKeyId: string): string {
  if (accessKeyId.length >= 12) return `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}`;
  return `…${accessKeyId.slice(-Math.min(4, Math.floor(accessKeyId.length / 3)))}`;
}
