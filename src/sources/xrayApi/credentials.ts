/**
 * AWS credentials and client set-up for the X-Ray API source: the default provider chain, a named
 * profile, or an SSO profile; a region; an endpoint override (moto, LocalStack). Errors about
 * missing credentials or region are turned into messages that say what to set.
 */
import { XRayClient } from '@aws-sdk/client-xray';
import { fromIni, fromNodeProviderChain, fromSSO } from '@aws-sdk/credential-providers';

export interface XRayClientOptions {
  /** AWS region; default from AWS_REGION / the profile. */
  region?: string;
  /** A named profile from ~/.aws/config or ~/.aws/credentials. */
  profile?: string;
  /** Use the profile's IAM Identity Center (SSO) session (`aws sso login` first). */
  sso?: boolean;
  /** e.g. `http://127.0.0.1:5000` for moto. */
  endpoint?: string;
}

/** A client whose own retries are off: withRetry does them, with injectable sleep and cancel. */
export function createXRayClient(opts: XRayClientOptions): XRayClient {
  const credentials = opts.sso
    ? fromSSO({ profile: opts.profile })
    : opts.profile
      ? fromIni({ profile: opts.profile })
      : fromNodeProviderChain();
  return new XRayClient({
    region: opts.region,
    endpoint: opts.endpoint,
    credentials,
    maxAttempts: 1,
    ...(opts.profile ? { profile: opts.profile } : {}),
  });
}

/** A clearer Error for credential/region problems; other errors are returned as they are. */
export function explainAwsError(err: unknown, opts: XRayClientOptions): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const text = `${e.name} ${e.message}`;
  if (/CredentialsProviderError|Could not load credentials|Token is expired|SSO session|credentials/i.test(text) && !/InvalidClientTokenId|SignatureDoesNotMatch/.test(text)) {
    const what = opts.sso
      ? `the SSO session of profile '${opts.profile ?? 'default'}' is missing or expired: run \`aws sso login --profile ${opts.profile ?? 'default'}\``
      : opts.profile
        ? `profile '${opts.profile}' has no usable credentials in ~/.aws/credentials or ~/.aws/config`
        : 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or AWS_PROFILE / --profile with a profile in ~/.aws/config, or use --sso after `aws sso login`';
    return new Error(`No AWS credentials: ${what}. (${e.message})`);
  }
  if (/Region is missing/i.test(text)) return new Error('No AWS region: set AWS_REGION or pass --region (e.g. --region us-east-1).');
  if (/InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|ExpiredToken/.test(text)) {
    return new Error(`AWS rejected the credentials (${e.name}): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile. (${e.message})`);
  }
  if (/AccessDenied/.test(text)) return new Error(`Access denied: the credentials need xray:GetTraceSummaries and xray:BatchGetTraces. (${e.message})`);
  return e;
}
