import { CloudError, type CloudDriver, type CloudDriverName, type CloudType } from '@mci/core';
import { createAwsDriver } from './aws-driver.ts';
import { SimulatedDriver, simulatedPrincipal, type SimulatedWorld } from './simulated-driver.ts';

/** The secret part of AWS credentials (R-CLD-1), as stored encrypted. */
export interface AwsSecret {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** An account's credentials for a cloud type, decrypted for one use. */
export interface CredentialsInUse {
  id: string;
  accountId: string;
  cloudType: CloudType;
  principal: string | null;
  secret: AwsSecret;
  /** Endpoint override (an emulator such as moto); undefined → the cloud's own. */
  endpoint?: string;
  /** A role to assume with the credentials before calling the cloud. */
  roleArn?: string;
}

/** What a driver is made for: one cloud (region), seen with one account's credentials or none. */
export interface DriverTarget {
  cloud: { name: string; region: string; cloudType: CloudType; driver: CloudDriverName };
  credentials: CredentialsInUse | null;
}

/** Makes the driver of a target; the context holds one (tests pass their own). */
export type DriverFactory = (target: DriverTarget) => CloudDriver;

/**
 * The built-in drivers: `simulated` over one in-process world (the principal is the access key's),
 * `aws` through the AWS SDK (one client per region and credentials, cached by the AWS driver).
 */
export function builtInDrivers(world: SimulatedWorld): DriverFactory {
  return ({ cloud, credentials }) => {
    switch (cloud.driver) {
      case 'simulated':
        return new SimulatedDriver(
          world,
          cloud.region,
          credentials ? (credentials.principal ?? simulatedPrincipal(credentials.secret.accessKeyId)) : null,
        );
      case 'aws':
        if (!credentials)
          throw new CloudError('auth', 'NoCredentials', `${cloud.name} needs AWS credentials of an account`);
        return createAwsDriver({
          region: cloud.region,
          credentials: credentials.secret,
          endpoint: credentials.endpoint,
          roleArn: credentials.roleArn,
        });
      case 'none':
        throw new CloudError(
          'unsupported',
          'NoDriver',
          `${cloud.name} is not connected to a cloud (driver none)`,
        );
    }
  };
}
