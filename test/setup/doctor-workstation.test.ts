/**
 * `switchyard doctor --role workstation`: the Brain (a real gateway) reached at SWITCHYARD_URL with
 * the token, SSH aliases read from a temp HOME; a Brain that never answers is a ✗ the moment its
 * time limit passes (the test decides when), a closed port at once, a wrong token a ✗.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDoctor } from "../../src/setup/doctor.js";
import { DEFAULT_DOCTOR_TIMEOUTS, type DoctorEnvironment } from "../../src/setup/doctor-environment.js";
import { eventually } from "../engines/engine-test-kit.js";
import { type Harness, startHarness } from "../helpers/switchyard-harness.js";
import { doctorEnvironment, ManualTimer, resultOf } from "./doctor-test-kit.js";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ authTokens: ["right-token"] });
});
afterAll(() => harness.close());

function workstation(overrides: Partial<DoctorEnvironment> = {}): DoctorEnvironment {
  const environment = doctorEnvironment("", { brainUrl: harness.url, token: "right-token", ...overrides });
  const ssh = join(environment.home, ".ssh");
  mkdirSync(join(ssh, "config.d"), { recursive: true });
  writeFileSync(join(ssh, "config"), "Host brain\n  HostName 192.168.1.20\n\nInclude config.d/*\n");
  writeFileSync(join(ssh, "config.d", "engine"), "Host engine engine.local\n  HostName 192.168.1.21\n");
  return environment;
}

describe("doctor on the Workstation", () => {
  it("passes when the Brain answers with the token and both SSH aliases exist (one through Include)", async () => {
    const report = await runDoctor({
      environment: workstation(),
      role: "workstation",
      timer: new ManualTimer(),
    });
    expect(report.results.map((result) => [result.id, result.status])).toEqual([
      ["brain-service", "ok"],
      ["brain-token", "ok"],
      ["ssh-aliases", "ok"],
    ]);
    expect(report.exitCode).toBe(0);
  });

  it("a Brain that accepts the connection and never answers is a ✗ when the time limit passes, not a hang", async () => {
    const sockets: Socket[] = [];
    let closed = 0;
    // Reads and drops the request, never answers.
    const silent: Server = createServer((socket) => {
      sockets.push(socket);
      socket.on("close", () => closed++).resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const timer = new ManualTimer();
      const running = runDoctor({ environment: workstation({ brainUrl: url }), role: "workstation", timer });
      await eventually(
        () => sockets.length === 1 && timer.pending(DEFAULT_DOCTOR_TIMEOUTS.networkMs).length === 1,
      );
      timer.pending(DEFAULT_DOCTOR_TIMEOUTS.networkMs)[0]!.fire();
      const report = await running;
      expect(resultOf(report.results, "brain-service")).toMatchObject({
        status: "fail",
        detail: `${url} did not answer within 5 s`,
      });
      expect(resultOf(report.results, "brain-service").fix).toContain("SWITCHYARD_URL");
      expect(resultOf(report.results, "brain-token").status).toBe("skip");
      expect(report.exitCode).toBe(1);
      // The check let go of the connection it gave up on.
      await eventually(() => closed > 0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("a closed port is a ✗ at once, with the reason", async () => {
    const report = await runDoctor({
      environment: workstation({ brainUrl: "http://127.0.0.1:9" }),
      role: "workstation",
      timer: new ManualTimer(),
    });
    expect(resultOf(report.results, "brain-service").detail).toBe(
      "http://127.0.0.1:9: connection refused: nothing listens on that address and port",
    );
  });

  it("a wrong or missing token is a ✗ that says which", async () => {
    const wrong = await runDoctor({
      environment: workstation({ token: "wrong-token" }),
      role: "workstation",
      timer: new ManualTimer(),
    });
    expect(resultOf(wrong.results, "brain-token")).toMatchObject({
      status: "fail",
      detail: "the Brain refused the token",
      fix: "Set SWITCHYARD_TOKEN to one of the Brain's server.auth_tokens",
    });
    const none = await runDoctor({
      environment: workstation({ token: undefined }),
      role: "workstation",
      timer: new ManualTimer(),
    });
    expect(resultOf(none.results, "brain-token").detail).toBe("the Brain wants a token and none is set");
  });

  it("a missing SSH alias is a ✗ with the stanza to add", async () => {
    const environment = workstation();
    writeFileSync(join(environment.home, ".ssh", "config"), "Host brain\n  HostName 192.168.1.20\n");
    const report = await runDoctor({ environment, role: "workstation", timer: new ManualTimer() });
    const ssh = resultOf(report.results, "ssh-aliases");
    expect(ssh.status).toBe("fail");
    expect(ssh.detail).toMatch(/^no Host engine in .*\.ssh\/config$/);
    expect(ssh.fix).toBe("Add to ~/.ssh/config:\nHost engine\n  HostName <engine-ip>\n  User <you>");
  });
});
