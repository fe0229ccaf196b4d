// AWS Secrets Manager emulator: the AWS JSON 1.1 protocol as the AWS SDK speaks it, with SigV4
// checked (verified when the key is known), GetSecretValue and a minimal DescribeSecret, versions
// and staging labels, injectable faults, and a record of every call so tests can assert caching.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { EmulatorServer, sendJson } from './emulatorServer.js';

export interface SecretsManagerEmulatorOptions {
  /** When given, SigV4 signatures are verified with this key; otherwise only their shape is checked. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Region for new ARNs, and the only region a signature may be scoped to when given. */
  region?: string;
  accountId?: string;
  /** Clock for CreatedDate and the signature's 15-minute freshness window. */
  now?: () => number;
}

export const GET_SECRET_VALUE = 'secretsmanager.GetSecretValue';
export const DESCRIBE_SECRET = 'secretsmanager.DescribeSecret';
export const PUT_SECRET_VALUE = 'secretsmanager.PutSecretValue';
export const CREATE_SECRET = 'secretsmanager.CreateSecret';

// PutSecretValue and CreateSecret as the API reference has them: ClientRequestToken (32–64
// characters) becomes the new VersionId; repeating it with the same value changes nothing.
const putSchema = z.object({
  SecretId: z.string().min(1).max(2048),
  SecretString: z.string().min(1).max(65536),
  ClientRequestToken: z.string().min(32).max(64).optional(),
});
const createSchema = z.object({
  Name: z.string().min(1).max(512),
  SecretString: z.string().min(1).max(65536),
  ClientRequestToken: z.string().min(32).max(64).optional(),
});

export interface SecretsManagerCall {
  /** The X-Amz-Target header, e.g. `secretsmanager.GetSecretValue`. */
  target: string;
  /** SecretId as the caller sent it (undefined when the body did not parse). */
  secretId: string | undefined;
  status: number;
  /** `__type` of an error answer. */
  errorType?: string;
  at: number;
}

export interface SecretsManagerFault {
  /** With `type`: the error to answer with. Without both: the real answer, only `delayMs` later. */
  status?: 400 | 500;
  /** The `__type`, e.g. ThrottlingException (400), InternalServiceError (500), DecryptionFailure (400). */
  type?: string;
  message?: string;
  /** How many calls it affects (default 1; Infinity for all). */
  times?: number;
  /** Answer this much later (a hang, when longer than the caller waits; cut short by `stop()`). */
  delayMs?: number;
  /** Only calls with this target / SecretId (by name or ARN). */
  target?: string;
  secretId?: string;
}

interface SecretVersion {
  versionId: string;
  value: string;
  created: number;
  stages: string[];
}

interface StoredSecret {
  arn: string;
  name: string;
  created: number;
  versions: SecretVersion[];
}

const requestSchema = z.object({
  SecretId: z.string().min(1).max(2048),
  VersionId: z.string().min(32).max(64).optional(),
  VersionStage: z.string().min(1).max(256).optional(),
});

/** `AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request, SignedHeaders=…, Signature=<hex>` */
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{8})T\d{6}Z$/;
const NOT_FOUND = "Secrets Manager can't find the specified secret.";

class AwsError {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly message: string,
    /** Authentication errors say `message`, service errors `Message`, as AWS does. */
    readonly key: 'message' | 'Message' = 'Message',
  ) {}
}

export class SecretsManagerEmulator {
  /** The endpoint to give the SDK (`endpoint`, or AWS_ENDPOINT_URL_SECRETS_MANAGER). */
  readonly url: string;
  readonly calls: SecretsManagerCall[] = [];
  private readonly secrets: StoredSecret[] = [];
  private readonly faults: Array<SecretsManagerFault & { remaining: number }> = [];
  private readonly now: () => number;

  private constructor(
    private readonly server: EmulatorServer,
    private readonly options: SecretsManagerEmulatorOptions,
  ) {
    this.url = `http://127.0.0.1:${server.port}`;
    this.now = options.now ?? Date.now;
  }

  static async start(options: SecretsManagerEmulatorOptions = {}): Promise<SecretsManagerEmulator> {
    // The server needs its handler before the emulator that owns it exists.
    const ref: { emulator?: SecretsManagerEmulator } = {};
    const server = await EmulatorServer.start('Secrets Manager', (req, body, res) => {
      if (!ref.emulator) throw new Error('the Secrets Manager emulator is still starting');
      return ref.emulator.handle(req, body, res);
    });
    const emulator = new SecretsManagerEmulator(server, options);
    ref.emulator = emulator;
    return emulator;
  }

  /**
   * Stores a new version as AWSCURRENT (the previous one becomes AWSPREVIOUS), creating the secret
   * when neither its name nor its ARN is known, as PutSecretValue / CreateSecret would.
   */
  putSecret(idOrArn: string, secretString: string, versionId: string = randomUUID()): { arn: string; name: string; versionId: string } {
    let secret = this.find(idOrArn);
    const same = secret?.versions.find((v) => v.versionId === versionId);
    if (secret && same) {
      if (same.value !== secretString) throw new AwsError(400, 'ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
      return { arn: secret.arn, name: secret.name, versionId };
    }
    if (!secret) {
      const isArn = idOrArn.startsWith('arn:');
      const name = isArn ? (idOrArn.split(':secret:')[1] ?? idOrArn) : idOrArn;
      // Real ARNs end in a random 6-character suffix; an ARN given in full is kept as given.
      const arn = isArn ? idOrArn : `arn:aws:secretsmanager:${this.options.region ?? 'us-east-1'}:${this.options.accountId ?? '111122223333'}:secret:${name}-${randomSuffix()}`;
      secret = { arn, name, created: this.now(), versions: [] };
      this.secrets.push(secret);
    }
    for (const v of secret.versions) v.stages = v.stages.includes('AWSCURRENT') ? ['AWSPREVIOUS'] : v.stages.filter((s) => s !== 'AWSPREVIOUS');
    const version: SecretVersion = { versionId, value: secretString, created: this.now(), stages: ['AWSCURRENT'] };
    secret.versions.push(version);
    return { arn: secret.arn, name: secret.name, versionId: version.versionId };
  }

  /** Calls answered (any status), optionally only those with `target` and for `secretId` (name or ARN). */
  count(target?: string, secretId?: string): number {
    const wanted = secretId === undefined ? undefined : this.find(secretId);
    return this.calls.filter((c) => {
      if (target !== undefined && c.target !== target) return false;
      if (secretId === undefined) return true;
      if (c.secretId === secretId) return true;
      return wanted !== undefined && c.secretId !== undefined && this.find(c.secretId) === wanted;
    }).length;
  }

  injectFault(fault: SecretsManagerFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Resolves once `predicate` holds, re-checked after every request the emulator answers. */
  async waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const check = () => {
      try {
        return predicate();
      } catch {
        return false;
      }
    };
    try {
      await this.server.waitFor(check, timeoutMs, 'Secrets Manager condition');
    } catch {
      const recent = this.calls.slice(-8).map((c) => `${c.target.replace('secretsmanager.', '')}(${c.secretId ?? '?'}) ${c.status}${c.errorType ? ` ${c.errorType}` : ''}`);
      throw new Error(
        `waitFor: the condition did not hold within ${timeoutMs} ms after ${this.calls.length} Secrets Manager calls ` +
          `(last: ${recent.length ? recent.join(', ') : 'none'}).`,
      );
    }
  }

  /** Closes every connection and cancels pending delays. */
  async stop(): Promise<void> {
    this.faults.length = 0;
    await this.server.stop();
  }

  private find(id: string): StoredSecret | undefined {
    // A partial ARN (without the random suffix) also names a secret, as in AWS.
    return this.secrets.find((s) => s.name === id || s.arn === id || (id.startsWith('arn:') && s.arn.startsWith(`${id}-`)));
  }

  private async handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
    const target = headerValue(req, 'x-amz-target');
    let secretId: string | undefined;
    const send = (status: number, payload: Record<string, unknown>, errorType?: string) => {
      this.calls.push({ target, secretId, status, ...(errorType ? { errorType } : {}), at: this.now() });
      sendJson(res, status, payload, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    };
    try {
      const result = await this.answer(req, body, target, (id) => (secretId = id));
      send(200, result);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      send(err.status, { __type: err.type, [err.key]: err.message }, err.type);
    }
  }

  private async answer(req: IncomingMessage, body: string, target: string, noteSecretId: (id: string) => void): Promise<Record<string, unknown>> {
    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') throw new AwsError(404, 'UnknownOperationException', 'Only POST / is served.');
    this.checkSignature(req, body);
    if (!headerValue(req, 'content-type').startsWith('application/x-amz-json-1.1')) {
      throw new AwsError(400, 'SerializationException', 'Content-Type must be application/x-amz-json-1.1.');
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new AwsError(400, 'SerializationException', 'The request body is not valid JSON.');
    }
    const rawId = z.object({ SecretId: z.string() }).safeParse(json);
    if (rawId.success) noteSecretId(rawId.data.SecretId);
    if (target === PUT_SECRET_VALUE || target === CREATE_SECRET) return this.write(target, json, noteSecretId);
    if (target !== GET_SECRET_VALUE && target !== DESCRIBE_SECRET) {
      throw new AwsError(400, 'UnknownOperationException', `${target || 'A missing X-Amz-Target'} is not supported by this emulator.`);
    }
    const parsed = requestSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `Value at '${i.path.join('.') || 'body'}' failed to satisfy constraint: ${i.message}`);
      throw new AwsError(400, 'InvalidParameterException', `${issues.length} validation error(s) detected: ${issues.join('; ')}`);
    }
    await this.injectedFault(target, parsed.data.SecretId);

    const secret = this.find(parsed.data.SecretId);
    if (!secret) throw new AwsError(400, 'ResourceNotFoundException', NOT_FOUND);
    if (target === DESCRIBE_SECRET) {
      const latest = secret.versions.reduce((n, v) => Math.max(n, v.created), secret.created);
      return {
        ARN: secret.arn,
        Name: secret.name,
        CreatedDate: secret.created / 1000,
        LastChangedDate: latest / 1000,
        VersionIdsToStages: Object.fromEntries(secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.versionId, v.stages])),
      };
    }
    const version = this.pickVersion(secret, parsed.data.VersionId, parsed.data.VersionStage);
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      SecretString: version.value,
      VersionStages: version.stages,
      CreatedDate: version.created / 1000,
    };
  }

  /** PutSecretValue (a new AWSCURRENT version of a secret that exists) and CreateSecret (a new secret). */
  private async write(target: string, json: unknown, noteSecretId: (id: string) => void): Promise<Record<string, unknown>> {
    if (target === CREATE_SECRET) {
      const parsed = createSchema.safeParse(json);
      if (!parsed.success) throw new AwsError(400, 'InvalidParameterException', `Invalid CreateSecret request: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}.`);
      noteSecretId(parsed.data.Name);
      await this.injectedFault(target, parsed.data.Name);
      if (this.find(parsed.data.Name)) throw new AwsError(400, 'ResourceExistsException', `The operation failed because the secret ${parsed.data.Name} already exists.`);
      const made = this.putSecret(parsed.data.Name, parsed.data.SecretString, parsed.data.ClientRequestToken);
      return { ARN: made.arn, Name: made.name, VersionId: made.versionId };
    }
    const parsed = putSchema.safeParse(json);
    if (!parsed.success) throw new AwsError(400, 'InvalidParameterException', `Invalid PutSecretValue request: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}.`);
    await this.injectedFault(target, parsed.data.SecretId);
    if (!this.find(parsed.data.SecretId)) throw new AwsError(400, 'ResourceNotFoundException', NOT_FOUND);
    const put = this.putSecret(parsed.data.SecretId, parsed.data.SecretString, parsed.data.ClientRequestToken);
    return { ARN: put.arn, Name: put.name, VersionId: put.versionId, VersionStages: ['AWSCURRENT'] };
  }

  private pickVersion(secret: StoredSecret, versionId: string | undefined, stage: string | undefined): SecretVersion {
    const byId = versionId === undefined ? undefined : secret.versions.find((v) => v.versionId === versionId);
    if (versionId !== undefined && !byId) throw new AwsError(400, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    const label = stage ?? (byId ? undefined : 'AWSCURRENT');
    const byStage = label === undefined ? undefined : secret.versions.find((v) => v.stages.includes(label));
    if (label !== undefined && !byStage) throw new AwsError(400, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${label}`);
    if (byId && byStage && byId !== byStage) {
      throw new AwsError(400, 'InvalidRequestException', 'You provided a VersionStage that is not associated to the provided VersionId.');
    }
    const version = byId ?? byStage;
    if (!version) throw new AwsError(400, 'ResourceNotFoundException', NOT_FOUND);
    return version;
  }

  private async injectedFault(target: string, secretId: string): Promise<void> {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && (f.target === undefined || f.target === target) && (f.secretId === undefined || this.find(f.secretId) === this.find(secretId) || f.secretId === secretId),
    );
    if (!fault) return;
    fault.remaining -= 1;
    if (fault.delayMs) await this.server.delay(fault.delayMs);
    if (fault.type === undefined) return;
    throw new AwsError(fault.status ?? 400, fault.type, fault.message ?? `${fault.type} (injected by the emulator)`);
  }

  /** SigV4 as AWS checks it: the header's shape, scope and freshness, and the signature when the key is known. */
  private checkSignature(req: IncomingMessage, body: string): void {
    const authorization = headerValue(req, 'authorization');
    if (!authorization) throw new AwsError(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token', 'message');
    const auth = AUTHORIZATION.exec(authorization);
    const amzDate = headerValue(req, 'x-amz-date');
    const day = AMZ_DATE.exec(amzDate)?.[1];
    if (!auth || !day) {
      throw new AwsError(400, 'IncompleteSignatureException', 'Authorization header requires Credential, SignedHeaders and Signature (AWS4-HMAC-SHA256), and X-Amz-Date.', 'message');
    }
    const [, accessKeyId = '', date = '', region = '', service = '', signedHeaders = '', signature = ''] = auth;
    const signed = signedHeaders.split(';');
    const sig = (message: string) => new AwsError(400, 'InvalidSignatureException', message, 'message');
    if (service !== 'secretsmanager') throw sig(`Credential should be scoped to correct service: 'secretsmanager'.`);
    if (this.options.region && region !== this.options.region) throw sig(`Credential should be scoped to a valid region, not '${region}'.`);
    if (date !== day) throw sig(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${day}'.`);
    if (!signed.includes('host') || !signed.includes('x-amz-date')) throw sig('SignedHeaders must include host and x-amz-date.');
    const skewMs = Math.abs(this.now() - parseAmzDate(amzDate));
    if (skewMs > 15 * 60_000) throw sig(`Signature expired: ${amzDate} is more than 15 minutes from the server's time.`);

    const creds = this.options.credentials;
    if (!creds) return;
    if (accessKeyId !== creds.accessKeyId) throw new AwsError(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.', 'message');
    const canonicalRequest = [
      req.method ?? 'POST',
      canonicalPath(req.url ?? '/'),
      canonicalQuery(req.url ?? '/'),
      signed.map((h) => `${h}:${canonicalHeaderValue(req, h)}\n`).join(''),
      signedHeaders,
      sha256Hex(body),
    ].join('\n');
    const scope = `${date}/${region}/${service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    let key = hmac(`AWS4${creds.secretAccessKey}`, date);
    for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
    const expected = createHmac('sha256', key).update(stringToSign).digest();
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw sig('The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
    }
  }
}

function headerValue(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

/** Trimmed, inner whitespace collapsed; repeated headers joined with commas (SigV4's rules). */
function canonicalHeaderValue(req: IncomingMessage, name: string): string {
  const values = req.headersDistinct[name] ?? [];
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

/** Each path segment URI-encoded once more, as the SDK does for every service but S3. */
function canonicalPath(url: string): string {
  const path = url.split('?')[0] ?? '/';
  return path.split('/').map(uriEncode).join('/') || '/';
}

function canonicalQuery(url: string): string {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  if (!query) return '';
  return [...new URLSearchParams(query)]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** RFC 3986 encoding: encodeURIComponent plus ! ' ( ) *. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseAmzDate(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : Number.NaN;
}

function randomSuffix(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(6), (b) => alphabet[b % alphabet.length]).join('');
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();
