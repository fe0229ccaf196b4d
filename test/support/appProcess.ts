// The app as its own process (`src/main.ts`, configured only by env and a config file), so tests
// can kill it with SIGKILL and start it again on the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { World } from '../../src/sandbox/world.js';

export interface AppProcess {
  url: string;
  child: ChildProcess;
  /** Every line the process wrote. */
  output: string[];
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const ROOT = new URL('../../', import.meta.url).pathname;

/** The environment an app process of the emulated world starts with (no encryption key: callers choose). */
export function appEnvironment(world: World, configFile: string, dataDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_NO_WARNINGS: '1',
    SLACK_BOT_TOKEN: world.botToken,
    SLACK_SIGNING_SECRET: world.signingSecret,
    SLACK_API_URL: world.slack.url,
    SPCONN_CONFIG: configFile,
    SPCONN_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: world.aws.accessKeyId,
    AWS_SECRET_ACCESS_KEY: world.aws.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: world.secrets.url,
  };
}

export async function startAppProcess(world: World, dataDir: string, encryptionKey: string, extraEnv: Record<string, string> = {}): Promise<AppProcess> {
  const configFile = join(dataDir, 'spconn.config.json.yaml');
  writeFileSync(configFile, JSON.stringify(world.rawConfig));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...appEnvironment(world, configFile, dataDir),
      SPCONN_ENCRYPTION_KEY: encryptionKey,
      LOG_LEVEL: 'info',
      AWS_MAX_ATTEMPTS: '2',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        output.push(line);
        const m = /"port":(\d+).*(listening|connected)/.exec(line);
        if (m) resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onLine);
    child.stderr!.on('data', onLine);
    void exited.then((code) => reject(new Error(`app exited with ${code} before listening:\n${output.join('\n')}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
