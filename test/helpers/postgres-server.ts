/**
 * A throwaway PostgreSQL server for the shared store suites. Uses SWITCHYARD_TEST_POSTGRES_URL
 * when set (a CI service container); otherwise finds the server binaries — installing Debian's
 * `postgresql` package first when they are missing and we are root with apt — then `initdb`s a
 * cluster in a temp directory and starts it on a free loopback port. PostgreSQL refuses to run
 * as root, so as root the cluster belongs to, and runs as, the `postgres` user (runuser/su).
 * When none of that is possible it says why, and the suites skip with that reason.
 */
import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export interface PostgresServer {
  /** The server's maintenance database, `postgres://postgres@127.0.0.1:<port>/postgres`. */
  url: string;
  /** A fresh, empty database; returns its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

export type PostgresServerResult = { server: PostgresServer } | { skipReason: string };

let databaseCounter = 0;

export async function startPostgresServer(): Promise<PostgresServerResult> {
  const external = process.env.SWITCHYARD_TEST_POSTGRES_URL;
  if (external) return { server: serverAt(external, async () => {}) };
  try {
    let binDirectory = findBinDirectory();
    if (!binDirectory) {
      const installed = await installPostgres();
      if (installed) return { skipReason: installed };
      binDirectory = findBinDirectory();
      if (!binDirectory) return { skipReason: "apt-get installed postgresql but initdb is still not found" };
    }
    return { server: await startCluster(binDirectory) };
  } catch (error) {
    return { skipReason: error instanceof Error ? error.message : String(error) };
  }
}

/** Debian keeps each major version under /usr/lib/postgresql/<n>/bin; elsewhere, PATH. */
function findBinDirectory(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => existsSync(join(root, name, "bin", "initdb")))
      .sort((left, right) => Number(right) - Number(left));
    if (versions[0]) return join(root, versions[0], "bin");
  }
  const found = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" });
  const initdb = found.stdout.trim();
  if (found.status === 0 && initdb) return join(initdb, "..");
  return undefined;
}

/** Installs the package; returns why it could not, or undefined on success. */
async function installPostgres(): Promise<string | undefined> {
  if (process.getuid?.() !== 0)
    return "PostgreSQL is not installed and we are not root, so cannot apt-get it";
  if (spawnSync("sh", ["-c", "command -v apt-get"]).status !== 0)
    return "PostgreSQL is not installed and apt-get is not available to install it";
  const environment = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const options = { env: environment, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 };
  try {
    await run("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"], options);
  } catch {
    // A fresh machine has no package lists yet.
    try {
      await run("apt-get", ["update"], options);
      await run("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"], options);
    } catch (error) {
      return `apt-get install postgresql failed: ${error instanceof Error ? error.message.slice(0, 300) : error}`;
    }
  }
  return undefined;
}

async function startCluster(binDirectory: string): Promise<PostgresServer> {
  const asRoot = process.getuid?.() === 0;
  // As root, TMPDIR may be private to root; /tmp is reachable by the postgres user.
  const directory = mkdtempSync(join(asRoot ? "/tmp" : tmpdir(), "switchyard-pg-"));
  const dataDirectory = join(directory, "data");
  let command = (program: string, args: string[]) => ({ file: join(binDirectory, program), args });
  if (asRoot) {
    const user = await ensurePostgresUser();
    chownSync(directory, user.uid, user.gid);
    const runuser = spawnSync("sh", ["-c", "command -v runuser"]).status === 0;
    command = (program, args) =>
      runuser
        ? { file: "runuser", args: ["-u", "postgres", "--", join(binDirectory, program), ...args] }
        : {
            file: "su",
            args: [
              "postgres",
              "-s",
              "/bin/sh",
              "-c",
              [join(binDirectory, program), ...args].map(shellQuote).join(" "),
            ],
          };
  }
  const exec = async (program: string, args: string[]) => {
    const { file, args: fullArgs } = command(program, args);
    await run(file, fullArgs, { cwd: directory, timeout: 120_000 });
  };
  await exec("initdb", [
    "-D",
    dataDirectory,
    "-U",
    "postgres",
    "-A",
    "trust",
    "-E",
    "UTF8",
    "--locale=C",
    "--no-sync",
  ]);
  const port = await freePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${directory}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=200",
    // A throwaway cluster: durability only costs time here.
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
  ].join(" ");
  await exec("pg_ctl", [
    "-D",
    dataDirectory,
    "-l",
    join(directory, "server.log"),
    "-w",
    "-t",
    "60",
    "-o",
    serverOptions,
    "start",
  ]);
  const stopCommand = command("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "stop"]);
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    spawnSync(stopCommand.file, stopCommand.args, { stdio: "ignore", timeout: 30_000 });
    rmSync(directory, { recursive: true, force: true });
  };
  // A test process that dies without afterAll must not leave a server running.
  process.once("exit", stopNow);
  return serverAt(`postgres://postgres@127.0.0.1:${port}/postgres`, async () => {
    process.removeListener("exit", stopNow);
    stopNow();
  });
}

function serverAt(url: string, stop: () => Promise<void>): PostgresServer {
  return {
    url,
    async createDatabase() {
      const name = `switchyard_test_${process.pid}_${Date.now()}_${databaseCounter++}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      const databaseUrl = new URL(url);
      databaseUrl.pathname = `/${name}`;
      return databaseUrl.toString();
    },
    stop,
  };
}

async function ensurePostgresUser(): Promise<{ uid: number; gid: number }> {
  const lookup = () => spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  if (lookup().status !== 0)
    await run("useradd", ["--system", "--no-create-home", "--shell", "/bin/sh", "postgres"]);
  const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
  const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new Error("could not find or create the postgres user");
  return { uid, gid };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
