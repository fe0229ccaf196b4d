// Atlas writes one AWS region three ways: an instance's `VIRGINIA_USA`, accountDetails'
// `US_EAST_1`, and a Private Link's cloud-native `us-east-1`. One table, no official source.
export interface AwsRegion {
  /** Cloud-native, as sent in a Private Link's `region` and seen in VPC endpoint service names. */
  aws: string;
  /** `regionName` for `GET /streams/accountDetails`. */
  atlas: string;
  /** A stream processing instance's `dataProcessRegion.region`. */
  instance: string;
}

export const AWS_REGIONS: readonly AwsRegion[] = [
  { aws: 'us-east-1', atlas: 'US_EAST_1', instance: 'VIRGINIA_USA' },
  { aws: 'us-east-2', atlas: 'US_EAST_2', instance: 'OHIO_USA' },
  { aws: 'us-west-2', atlas: 'US_WEST_2', instance: 'OREGON_USA' },
  { aws: 'ca-central-1', atlas: 'CA_CENTRAL_1', instance: 'MONTREAL_CAN' },
  { aws: 'eu-west-1', atlas: 'EU_WEST_1', instance: 'DUBLIN_IRL' },
  { aws: 'eu-west-2', atlas: 'EU_WEST_2', instance: 'LONDON_GBR' },
  { aws: 'eu-central-1', atlas: 'EU_CENTRAL_1', instance: 'FRANKFURT_DEU' },
  { aws: 'ap-southeast-1', atlas: 'AP_SOUTHEAST_1', instance: 'SINGAPORE_SGP' },
  { aws: 'ap-southeast-2', atlas: 'AP_SOUTHEAST_2', instance: 'SYDNEY_AUS' },
  { aws: 'ap-south-1', atlas: 'AP_SOUTH_1', instance: 'MUMBAI_IND' },
  { aws: 'ap-northeast-1', atlas: 'AP_NORTHEAST_1', instance: 'TOKYO_JPN' },
  { aws: 'sa-east-1', atlas: 'SA_EAST_1', instance: 'SAOPAULO_BRA' },
];

/** Finds a region written in any of the three forms (or the seed's `us_east_1`). */
export function awsRegion(text: string): AwsRegion | undefined {
  const t = text.trim();
  const native = t.toLowerCase().replace(/_/g, '-');
  return AWS_REGIONS.find((r) => r.aws === native || r.atlas === t.toUpperCase() || r.instance === t.toUpperCase());
}
