import type { Cloud, CloudDriver } from '@mci/core';
import { credentialsFor, driverFor, makeDriver, noDriver } from '../../clouds/connection.ts';
import type { CredentialsInUse } from '../../clouds/drivers.ts';
import type { AppContext } from '../../context.ts';

/**
 * The driver of a server's cloud with its account's credentials. A cloud driven by the simulated
 * driver (the demo's AWS regions) takes the account's `simulated` credentials when it has them,
 * whatever cloud type the cloud names: the simulated cloud cannot check AWS keys. Otherwise, as
 * `driverFor`: 409 `no_driver`, `credentials_missing`, `credentials_unreadable`.
 */
export async function serverDriver(
  ctx: AppContext,
  cloud: Cloud,
  accountId: string,
): Promise<{ driver: CloudDriver; credentials: CredentialsInUse | null }> {
  if (cloud.driver === 'none') throw noDriver(cloud);
  if (cloud.driver === 'simulated' && cloud.cloudType !== 'simulated') {
    const simulated = await credentialsFor(ctx, ctx.db, accountId, 'simulated');
    if (simulated) return { driver: makeDriver(ctx, cloud, simulated), credentials: simulated };
  }
  return driverFor(ctx, ctx.db, cloud, accountId);
}
