import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's PostgreSQL binaries (`apt-get install postgresql`), newest version first; undefined when absent. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/**
 * Why PostgreSQL tests cannot run here, or undefined when they can. With QORGAU_REQUIRE_POSTGRES set (CI sets
 * it) a missing server is an error, not a skip.
 */
export function postgresMissing(): string | undefined {
  if (postgresBin()) return undefined;
  const reason = 'PostgreSQL is not installed (apt-get install -y postgresql): the PostgreSQL half of the review-server suite is skipped';
  if (process.env.QORGAU_REQUIRE_POSTGRES) throw new Error(`QORGAU_REQUIRE_POSTGRES is set but ${reason.split(':')[0]}.`);
  return reason;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Postgres {
  /** `postgres://postgres@127.0.0.1:PORT/` + a database name. */
  url(db?: string): string;
  createDb(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A throwaway cluster: initdb into a temporary folder and pg_ctl start on a free loopback port, as the
 * `postgres` user when this process is root (the server refuses to run as root).
 */
export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'qorgau-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const root = process.getuid?.() === 0;
  const as = async (cmd: string, args: string[]): Promise<void> => {
    if (root) await run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]);
    else await run(join(bin, cmd), args);
  };
  if (root) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    const { stdout: g } = await run('id', ['-g', 'postgres']);
    chownSync(dir, uid, Number(g.trim()));
    chmodSync(dir, 0o700);
  }
  await as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale']);
  await as('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  const url = (db = 'postgres'): string => `postgres://postgres@127.0.0.1:${port}/${db}`;
  return {
    url,
    async createDb(name) {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
