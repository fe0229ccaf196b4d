// AWS Secrets Manager emulator: the AWS JSON 1.1 protocol with SigV4 checked, as the AWS SDK
// speaks it, for GetSecretValue and DescribeSecret. Counts calls so tests can assert caching.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { EmulatorServer, sendJson } from './emulatorServer.js';

export interface SecretsManagerEmulatorOptions {
  /** When given, SigV4 signatures are verified with this key; otherwise only their shape is. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  region?: string;
}

interface SecretVersion {
  versionId: string;
  value: string;
  created: number;
}

interface StoredSecret {
  arn: string;
  name: string;
  versions: SecretVersion[];
}

export interface SecretsManagerCall {
  target: string;
  secretId: string | undefined;
  status: number;
}

interface Fault {
  status: 400 | 500;
  type: string;
  message?: string;
  times: number;
  delayMs?: number;
}

const requestSchema = z.object({
  SecretId: z.string(),
  VersionId: z.string().optional(),
  VersionStage: z.string().optional(),
});

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/secretsmanager\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

export class SecretsManagerEmulator {
  readonly calls: SecretsManagerCall[] = [];
  private readonly secrets: StoredSecret[] = [];
  private readonly faults: Fault[] = [];

  private constructor(
    private readonly server: EmulatorServer,
    private readonly options: SecretsManagerEmulatorOptions,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  static async start(options: SecretsManagerEmulatorOptions = {}): Promise<SecretsManagerEmulator> {
    // The server needs the handler before the emulator that owns it exists.
    const ref: { emulator?: SecretsManagerEmulator } = {};
    const server = await EmulatorServer.start('Secrets Manager', (req, body, res) => ref.emulator!.handle(req, body, res));
    ref.emulator = new SecretsManagerEmulator(server, options);
    return ref.emulator;
  }

  /** Stores a new current version of a secret, by name or ARN. */
  putSecret(idOrArn: string, value: string): void {
    let secret = this.find(idOrArn);
    if (!secret) {
      const name = idOrArn.startsWith('arn:') ? (idOrArn.split(':secret:')[1] ?? idOrArn) : idOrArn;
      const arn = idOrArn.startsWith('arn:') ? idOrArn : `arn:aws:secretsmanager:${this.options.region ?? 'us-east-1'}:111122223333:secret:${name}-AbCdEf`;
      secret = { arn, name, versions: [] };
      this.secrets.push(secret);
    }
    secret.versions.push({ versionId: randomUUID(), value, created: Math.floor(Date.now() / 1000) });
  }

  count(target?: string, secretId?: string): number {
    return this.calls.filter((c) => (!target || c.target === target) && (!secretId || c.secretId === secretId) && c.status === 200).length;
  }

  injectFault(fault: { status: 400 | 500; type: string; message?: string; times?: number; delayMs?: number }): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void> {
    return this.server.waitFor(predicate, timeoutMs, 'Secrets Manager condition');
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private find(id: string): StoredSecret | undefined {
    return this.secrets.find((s) => s.name === id || s.arn === id || (id.startsWith('arn:') && s.arn.startsWith(id)));
  }

  private async handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    let parsed: z.infer<typeof requestSchema> | undefined;
    const answer = (status: number, payload: unknown) => {
      this.calls.push({ target, secretId: parsed?.SecretId, status });
      sendJson(res, status, payload, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    };
    const error = (status: number, type: string, message: string) => answer(status, { __type: type, message, Message: message });

    if (req.method !== 'POST' || req.url !== '/') return error(404, 'UnknownOperationException', 'POST / only');
    const authError = this.checkSignature(req, body);
    if (authError) return error(400, authError.type, authError.message);
    try {
      parsed = requestSchema.parse(JSON.parse(body));
    } catch {
      return error(400, 'InvalidParameterException', 'SecretId is required.');
    }
    const fault = this.faults.find((f) => f.times > 0);
    if (fault) {
      fault.times--;
      if (fault.delayMs) await this.server.delay(fault.delayMs);
      return error(fault.status, fault.type, fault.message ?? fault.type);
    }
    if (parsed.SecretId.length < 1 || parsed.SecretId.length > 2048) {
      return error(400, 'InvalidParameterException', 'SecretId must be 1 to 2048 characters.');
    }
    const secret = this.find(parsed.SecretId);
    if (!secret) return error(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    const current = secret.versions.at(-1)!;
    switch (target) {
      case 'secretsmanager.GetSecretValue': {
        const version = parsed.VersionId ? secret.versions.find((v) => v.versionId === parsed!.VersionId) : current;
        if (!version || (parsed.VersionStage && parsed.VersionStage !== 'AWSCURRENT')) {
          return error(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret value for VersionId or VersionStage.");
        }
        return answer(200, {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.versionId,
          SecretString: version.value,
          VersionStages: version === current ? ['AWSCURRENT'] : [],
          CreatedDate: version.created,
        });
      }
      case 'secretsmanager.DescribeSecret':
        return answer(200, {
          ARN: secret.arn,
          Name: secret.name,
          VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.versionId, v === current ? ['AWSCURRENT'] : []])),
        });
      default:
        return error(400, 'UnknownOperationException', `Operation ${target} is not supported by this emulator.`);
    }
  }

  /** SigV4 as AWS checks it: the credential scope's shape, and the signature when the key is known. */
  private checkSignature(req: IncomingMessage, body: string): { type: string; message: string } | undefined {
    const auth = String(req.headers.authorization ?? '');
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const m = AUTH.exec(auth);
    if (!m || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
      return { type: 'IncompleteSignatureException', message: 'Authorization header requires a SigV4 Credential, SignedHeaders and Signature, and X-Amz-Date.' };
    }
    const [, accessKeyId, date, region, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string];
    const creds = this.options.credentials;
    if (!creds) return undefined;
    if (accessKeyId !== creds.accessKeyId) return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    const headerNames = signedHeaders.split(';');
    const canonicalHeaders = headerNames.map((h) => `${h}:${String(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
    const [path = '/', query = ''] = (req.url ?? '/').split('?');
    const canonicalRequest = [req.method, path, query, canonicalHeaders, signedHeaders, sha256(body)].join('\n');
    const scope = `${date}/${region}/secretsmanager/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
    let key = hmac(`AWS4${creds.secretAccessKey}`, date);
    for (const part of [region, 'secretsmanager', 'aws4_request']) key = hmac(key, part);
    const expected = createHmac('sha256', key).update(stringToSign).digest();
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' };
    }
    return undefined;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
