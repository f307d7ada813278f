// Host keys: recorded on first contact (or configured), then enforced by every Pulumi connection, by the docker
// CLI's ssh and by Ansible on the deploy host. The graph under the mock runtime, and OpenSSH's side for real against
// a throwaway sshd on 127.0.0.1.
import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { dockerSshOpts } from "../render/dockerHost";
import { hostKeyFingerprint, hostKeyFromFirstContact, knownHostsLines } from "../render/hosts";
import { renderAnsibleCfg } from "../render/ansibleCfg";
import { shellQuote } from "../render/script";
import { KNOWN_HOSTS_FILE } from "../render/paths";
import { Graph, mockHostKey, runIndex } from "../tools/evaluate/harness";
import {
    stackRunOptions,
    stackSettings,
    stackValues,
    TEST_PUBLIC_KEY,
} from "../tools/evaluate/stack";
import { freePort } from "../bench/registryPair";
import { tempDir, waitForPort } from "./support/tools";
import { asStrings, input, inputString, parseJson } from "./support/narrow";

const CONFIGURED =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGNvbmZpZ3VyZWQtZGVwbG95LWhvc3Qta2V5LTMyYnl0";

describe("host keys: pinned after first contact, everywhere", () => {
    let g: Graph;
    before(async () => {
        g = await runIndex(
            stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, enableTls: true } }),
        );
    });
    const commands = () => g.ofType("command:remote:Command");

    it("first contact dials without a key (nothing recorded yet); every later command of that host pins the recorded one", () => {
        const deployKey = mockHostKey("deploy-host-reachable"),
            aioKey = mockHostKey("targets-aio-reachable");
        let deploy = 0,
            target = 0;
        for (const c of commands()) {
            if (c.name.endsWith("-reachable")) {
                assert.equal(input(c, "connection.hostKey"), undefined, c.name);
                continue;
            }
            if (input(c, "connection.host") === "10.10.10.50") {
                assert.equal(input(c, "connection.hostKey"), deployKey, c.name);
                assert.ok(
                    g.dependsOn(c, g.get("deploy-host-reachable")),
                    `${c.name} waits for first contact`,
                );
                deploy++;
            } else {
                assert.equal(input(c, "connection.hostKey"), aioKey, c.name);
                target++;
            }
        }
        assert.ok(
            deploy >= 50 && target >= 1,
            `${deploy} deploy-host and ${target} target commands`,
        );
    });

    it("the docker CLI's ssh accepts only the deploy host's key; Ansible's known_hosts holds every target's", () => {
        const provider = g.get("deploy-docker-provider", "pulumi:providers:docker");
        assert.ok(
            asStrings(parseJson(inputString(provider, "sshOpts")), "sshOpts").includes(
                `KnownHostsCommand=/bin/echo %H ${mockHostKey("deploy-host-reachable")}`,
            ),
        );
        const kh = g.get("kolla-known-hosts");
        assert.match(
            inputString(kh, "stdin"),
            new RegExp(
                `readonly KNOWN_HOSTS='10\\.10\\.10\\.51 ${mockHostKey("targets-aio-reachable").replace(/[+/]/g, "\\$&")}\\n'`,
            ),
        );
        assert.ok(
            g.dependsOn(g.get("kolla-bootstrap-servers"), kh),
            "bootstrap-servers after known_hosts",
        );
        assert.ok(g.dependsOn(kh, g.get("targets-aio-reachable")));
    });

    it("a configured hostKey is checked from the very first dial, comment dropped", async () => {
        const deployHost = {
            ...(stackValues("aio").deployHost as object),
            hostKey: `${CONFIGURED} root@deploy`,
        };
        const c = await runIndex(
            stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, deployHost } }),
        );
        for (const name of [
            "deploy-host-reachable",
            "deploy-host-prepare",
            "kolla-deploy",
            "deploy-docker-install",
        ]) {
            assert.equal(input(c.get(name), "connection.hostKey"), CONFIGURED, name);
        }
        assert.equal(
            input(c.get("targets-aio-reachable"), "connection.hostKey"),
            undefined,
            "the target still records its own",
        );
        assert.equal(stackSettings("aio", { deployHost }).deployHost.hostKey, CONFIGURED);
        assert.throws(
            () =>
                stackSettings("aio", { deployHost: { ...deployHost, hostKey: "AAAA not a key" } }),
            /deployHost\.hostKey: "AAAA" host keys cannot be pinned/,
        );
    });

    it("nothing secret or trusted reaches a deploy host whose key was only recorded: a gate fails, showing it, until it is confirmed", async () => {
        const gate = g.get("deploy-host-host-key-unconfirmed", "command:local:Command");
        const key = mockHostKey("deploy-host-reachable");
        // Behind it: the stack's passwords, the deploy key the targets authorize, and so every kolla stage.
        for (const n of [
            "deploy-host-passwords-file",
            "targets-aio-prepare",
            "kolla-bootstrap-servers",
        ])
            assert.ok(g.dependsOn(g.get(n), gate), `${n} waits for the confirmation`);
        for (const n of ["deploy-host-prepare", "deploy-docker-install", "deploy-host-deploy-key"])
            assert.ok(!g.dependsOn(g.get(n), gate), `${n} sends nothing secret`);
        // The gate's command, run as the command provider runs it (/bin/sh -c): it fails with the key and the fix.
        const r = spawnSync("/bin/sh", ["-c", inputString(gate, "create")], { encoding: "utf8" });
        assert.equal(r.status, 1);
        assert.ok(r.stderr.includes(key), "the recorded key, to compare and to copy");
        assert.ok(r.stderr.includes(hostKeyFingerprint(key)), "its fingerprint");
        assert.ok(
            r.stderr.includes(
                `pulumi config set --path deployHost.hostKey '${key}' and pulumi up again`,
            ),
            r.stderr,
        );
        assert.match(r.stderr, /the deploy host 10\.10\.10\.50:22 answered first contact with/);
        // Configured, there is nothing to confirm: no gate, nothing waits.
        const deployHost = { ...(stackValues("aio").deployHost as object), hostKey: CONFIGURED };
        const c = await runIndex(
            stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY, deployHost } }),
        );
        assert.equal(c.find("deploy-host-host-key-unconfirmed"), undefined);
        assert.equal(c.ofType("command:local:Command").length, 0);
    });

    it("the gate shows the fingerprint ssh-keygen -lf prints for a real key", () => {
        const dir = tempDir("fingerprint-");
        spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "k")]);
        const line = fs.readFileSync(path.join(dir, "k.pub"), "utf8").trim();
        const fp = spawnSync("ssh-keygen", ["-lf", path.join(dir, "k.pub")], { encoding: "utf8" });
        assert.equal(hostKeyFingerprint(line), fp.stdout.split(" ")[1]);
    });

    it("every recorded host key is a plain stack output", () => {
        assert.equal(g.exports.deployHostKey, mockHostKey("deploy-host-reachable"));
        assert.deepEqual(g.exports.targetHostKeys, { aio: mockHostKey("targets-aio-reachable") });
        assert.ok(!g.secretExports.includes("deployHostKey"));
        assert.ok(!g.secretExports.includes("targetHostKeys"));
    });

    it("after first contact a host gets 3 dials, not ~10 minutes of them: a changed key fails within seconds", () => {
        for (const c of commands()) {
            const first = c.name.endsWith("-reachable");
            assert.equal(input(c, "connection.dialErrorLimit"), first ? 40 : 3, c.name);
            assert.equal(input(c, "connection.perDialTimeout"), 15, c.name);
        }
    });

    it("a first contact that printed no key fails naming the fix; known_hosts uses [addr]:port off port 22", () => {
        assert.throws(
            () => hostKeyFromFirstContact("ready: aio Ubuntu\n", "10.10.10.51:22"),
            /first contact with 10\.10\.10\.51:22 printed no host key .*set its hostKey/,
        );
        assert.equal(
            hostKeyFromFirstContact(`ready: x\nhost-key: ${CONFIGURED}\n`, "h"),
            CONFIGURED,
        );
        assert.equal(
            knownHostsLines([
                { address: "10.0.0.1", sshPort: 22, hostKey: CONFIGURED },
                { address: "10.0.0.2", sshPort: 2222, hostKey: CONFIGURED },
            ]),
            `10.0.0.1 ${CONFIGURED}\n[10.0.0.2]:2222 ${CONFIGURED}\n`,
        );
    });
});

describe("host keys: OpenSSH enforces them (a real sshd on 127.0.0.1)", function () {
    this.timeout(30000);
    let dir: string, port: number, hostKey: string, sshd: ChildProcess;

    before(async function () {
        dir = tempDir("sshd-");
        for (const f of ["host", "user"])
            spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, f)]);
        hostKey = fs
            .readFileSync(path.join(dir, "host.pub"), "utf8")
            .trim()
            .split(" ")
            .slice(0, 2)
            .join(" ");
        port = await freePort();
        fs.writeFileSync(
            path.join(dir, "sshd_config"),
            [
                `Port ${port}`,
                "ListenAddress 127.0.0.1",
                `HostKey ${path.join(dir, "host")}`,
                `AuthorizedKeysFile ${path.join(dir, "user.pub")}`,
                "PermitRootLogin yes",
                "StrictModes no",
                "UsePAM no",
                "PasswordAuthentication no",
                `PidFile ${path.join(dir, "pid")}`,
                "",
            ].join("\n"),
        );
        fs.mkdirSync("/run/sshd", { recursive: true }); // sshd's privilege separation directory
        sshd = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", path.join(dir, "sshd_config")], {
            stdio: "ignore",
        });
        await waitForPort(port, "sshd");
    });
    after(() => {
        sshd?.kill("SIGKILL");
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const ssh = (opts: string[]) =>
        spawnSync(
            "ssh",
            [
                "-o",
                "BatchMode=yes",
                ...opts,
                "-i",
                path.join(dir, "user"),
                "-p",
                String(port),
                "root@127.0.0.1",
                "echo",
                "reached",
            ],
            { encoding: "utf8", timeout: 15000 },
        );
    const deployHost = () => ({ ...stackSettings("aio").deployHost, dockerSshKeyPath: undefined });

    it("the docker CLI's ssh options: the pinned key gets in, any other key is refused", () => {
        const ok = ssh(dockerSshOpts(deployHost(), hostKey));
        assert.equal(ok.status, 0, ok.stderr);
        assert.equal(ok.stdout.trim(), "reached");
        const wrong = ssh(dockerSshOpts(deployHost(), CONFIGURED));
        assert.notEqual(wrong.status, 0);
        assert.match(wrong.stderr, /Host key verification failed/);
    });

    it("the docker CLI's ssh never prompts: a key it cannot use fails at once, not on the operator's terminal", async () => {
        // The authorized key, passphrase-protected, and no agent: without BatchMode, ssh asks for the passphrase on the
        // controlling terminal, which `pulumi up` has, and the provider waits there for good. `script` gives ssh a
        // terminal whose input stays open, as the operator's does.
        const encrypted = path.join(dir, "user-encrypted");
        fs.copyFileSync(path.join(dir, "user"), encrypted);
        fs.chmodSync(encrypted, 0o600);
        spawnSync("ssh-keygen", ["-q", "-p", "-P", "", "-N", "a passphrase", "-f", encrypted]);
        const opts = dockerSshOpts({ ...deployHost(), dockerSshKeyPath: encrypted }, hostKey);
        const cmd = ["ssh", ...opts, "-p", String(port), "root@127.0.0.1", "echo", "reached"]
            .map(shellQuote)
            .join(" ");
        const env = { ...process.env };
        delete env.SSH_AUTH_SOCK;
        const run = spawn("script", ["-qec", cmd, "/dev/null"], { env });
        let out = "";
        run.stdout.on("data", (d) => (out += String(d)));
        const status = await new Promise<number | "waiting">((resolve) => {
            const timer = setTimeout(() => resolve("waiting"), 6000);
            run.on("exit", (code) => {
                clearTimeout(timer);
                resolve(code ?? -1);
            });
        });
        run.kill("SIGKILL");
        assert.notEqual(status, "waiting", `ssh is waiting on the terminal: ${out}`);
        assert.notEqual(status, 0);
        assert.doesNotMatch(out, /Enter passphrase/);
        assert.match(out, /Permission denied/);
    });

    it("Ansible's ssh_args with the known_hosts file the deploy host gets: its target gets in, an unknown key is refused", () => {
        const args = renderAnsibleCfg(stackSettings("aio"))
            .split("\n")
            .find((l) => l.startsWith("ssh_args = "))!
            .slice("ssh_args = ".length);
        const knownHosts = path.join(dir, "known_hosts");
        const opts = args
            .replace(KNOWN_HOSTS_FILE, knownHosts)
            .split(" ")
            .concat(["-o", `ControlPath=${path.join(dir, "cm-%p")}`]);
        fs.writeFileSync(
            knownHosts,
            knownHostsLines([{ address: "127.0.0.1", sshPort: port, hostKey }]),
        );
        const ok = ssh(opts);
        assert.equal(ok.status, 0, ok.stderr);
        spawnSync("ssh", [
            "-O",
            "exit",
            "-o",
            `ControlPath=${path.join(dir, "cm-%p")}`,
            "-p",
            String(port),
            "root@127.0.0.1",
        ]);
        fs.writeFileSync(
            knownHosts,
            knownHostsLines([{ address: "127.0.0.1", sshPort: port, hostKey: CONFIGURED }]),
        );
        const wrong = ssh(opts);
        assert.notEqual(wrong.status, 0);
        assert.match(wrong.stderr, /Host key verification failed/);
    });
});
