import { CloudError, type CloudDriver } from '@mci/core';
import type { AwsSecret } from './drivers.ts';

export interface AwsDriverOptions {
  region: string;
  credentials: AwsSecret;
  endpoint?: string;
  roleArn?: string;
}

/** Placeholder until the AWS driver lands (being written in this issue). */
export function createAwsDriver(_options: AwsDriverOptions): CloudDriver {
  throw new CloudError('unsupported', 'NotYet', 'the aws driver is being written');
}
