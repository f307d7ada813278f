// render/hosts.ts: each target's first-contact and prepare scripts, rendered and run for real, and the OS check on
// what first contact prints. The component that runs them: targetHosts.test.ts.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { hostOsProblem, waitReadyScript } from "../render/hosts";
import { targetPrepareScript } from "../render/hosts";
import { stackSettings } from "../tools/evaluate/stack";
import { tempDir } from "./support/tools";
import { DEPLOY_PUB, fakeBin, mode, onlyTools, runScript, withVars } from "./support/lifecycle";

describe("first contact: the host's OS against hostOs and the release (config/releases hostOs)", () => {
    const problem = (overrides: Record<string, unknown>, os: string) =>
        hostOsProblem(
            `ready: h\nos: ${os}\nhost-key: x\n`,
            "host h",
            stackSettings("aio", overrides),
        );

    it("accepts a host that runs the Ubuntu hostOs names, by default the release's first (host_os_distributions)", () => {
        // kolla-ansible 2023.1-eol, unmaintained/2024.1, 20.5.0, 22.1.0 ansible/roles/prechecks/vars/main.yml.
        assert.equal(problem({ release: "2023.1" }, "ubuntu jammy"), undefined);
        assert.equal(problem({ release: "2024.1" }, "ubuntu jammy"), undefined);
        assert.equal(problem({ release: "2024.1", hostOs: "noble" }, "ubuntu noble"), undefined);
        assert.equal(problem({ release: "2025.1" }, "ubuntu noble"), undefined);
        assert.equal(problem({ release: "2026.1" }, "ubuntu noble"), undefined);
    });

    it("refuses any other, naming the host, its OS, what hostOs says and the fix", () => {
        assert.equal(
            problem({ release: "2026.1" }, "ubuntu jammy"),
            "host h runs Ubuntu jammy; openstack-aio:hostOs says its hosts run Ubuntu 24.04 (noble), one OpenStack 2026.1 supports (noble): reinstall it with Ubuntu 24.04 (noble)",
        );
        // On 2024.1 a host half-way through the move to noble: the fix is hostOs, or finishing the move.
        assert.equal(
            problem({ release: "2024.1" }, "ubuntu noble"),
            "host h runs Ubuntu noble; openstack-aio:hostOs says its hosts run Ubuntu 22.04 (jammy), one OpenStack 2024.1 supports (jammy, noble): set openstack-aio:hostOs to noble once every host runs it, or finish moving this host to jammy",
        );
        assert.match(
            problem({ release: "2026.1" }, "debian trixie") ?? "",
            /runs debian trixie; .*reinstall it with Ubuntu 24\.04 \(noble\)$/,
        );
        assert.match(
            problem({ release: "2026.1" }, "ubuntu focal") ?? "",
            /runs Ubuntu focal; .*reinstall it/,
        );
        // A first contact that printed no OS line (an older script, or os-release unreadable).
        assert.match(
            hostOsProblem("ready: h\n", "host h", stackSettings("aio")) ?? "",
            /runs an OS it did not name/,
        );
    });

    it("refuses a hostOs the release does not support before any resource, naming the key and the supported values", () => {
        assert.throws(
            () => stackSettings("aio-2026.1", { hostOs: "jammy" }),
            /openstack-aio:hostOs: jammy is not an Ubuntu release OpenStack 2026\.1 supports on its hosts \(noble\); move the hosts to Ubuntu 24\.04 and set hostOs accordingly, or keep openstack-aio:release at one that runs on jammy \(2023\.1, 2024\.1\)/,
        );
        assert.throws(
            () => stackSettings("aio", { hostOs: "focal" }),
            /openstack-aio:hostOs: .*"jammy"\|"noble"|openstack-aio:hostOs: /,
        );
        assert.equal(stackSettings("aio").hostOs, "jammy");
        assert.equal(stackSettings("aio-2026.1").hostOs, "noble");
        assert.equal(stackSettings("aio", { release: "2024.1", hostOs: "noble" }).hostOs, "noble");
    });

    it("wait-ready.sh, run for real, prints the OS from os-release as ID and codename, before the host key", () => {
        const dir = tempDir("os-");
        const keyFile = path.join(dir, "key.pub");
        fs.writeFileSync(keyFile, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Q root@aio\n");
        // Ubuntu 24.04's /etc/os-release (quoted values, as base-files writes them).
        const osRelease = path.join(dir, "os-release");
        fs.writeFileSync(
            osRelease,
            'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=noble\n',
        );
        const bin = fakeBin({ sudo: "exit 0", "cloud-init": "exit 0" });
        const script = withVars(waitReadyScript(stackSettings("aio", { release: "2026.1" })), {
            HOST_KEY_FILE: keyFile,
            OS_RELEASE: osRelease,
        });
        const r = runScript(script, [], { PATH: `${bin}:${process.env.PATH}` });
        assert.equal(r.status, 0, r.stderr);
        assert.match(
            r.stdout,
            /^ready: \S+ Ubuntu 24\.04\.1 LTS \(for OpenStack 2026\.1 on Ubuntu noble\)$/m,
        );
        assert.deepEqual(r.stdout.trim().split("\n").slice(-2), [
            "os: ubuntu noble",
            "host-key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Q",
        ]);
        assert.equal(
            hostOsProblem(r.stdout, "aio", stackSettings("aio", { release: "2026.1" })),
            undefined,
        );
    });
});

describe("TargetHosts: scripts", () => {
    const settings = stackSettings("aio");
    const host = settings.hosts[0];

    it("renders the aio host's checks from its settings", () => {
        const s = targetPrepareScript(settings, host, DEPLOY_PUB).text;
        for (const line of [
            "MGMT_IF='eth1'",
            "API_IF='eth2'",
            "EXT_IF='eth3'",
            "TUNNEL_IF='eth1'",
            "MGMT_CIDR='10.10.10.0/24'",
            "API_CIDR='10.10.30.0/24'",
            "API_ADDRESS='10.10.30.50'",
            "HOST_ADDRESS='10.10.10.51'",
            "HOST_KEY='openstack-aio:hosts[0]'",
        ]) {
            assert.ok(s.includes(`readonly ${line}\n`), line);
        }
    });

    it("appends the key only behind a grep -qxF guard, into a 0700 ~/.ssh and 0600 authorized_keys", () => {
        const s = targetPrepareScript(settings, host, DEPLOY_PUB).text;
        assert.match(s, /if ! grep -qxF "\$DEPLOY_PUBKEY" "\$HOME\/\.ssh\/authorized_keys"; then/);
        assert.match(s, /install -d -m 0700 "\$HOME\/\.ssh"/);
        assert.match(s, /chmod 0600 "\$HOME\/\.ssh\/authorized_keys"/);
    });

    it("checks sudo and python3 on first contact", () => {
        const s = waitReadyScript(stackSettings("aio")).text;
        assert.match(s, /sudo -n true/);
        assert.match(s, /command -v python3/);
        assert.match(s, /timeout 900 cloud-init status --wait/);
    });

    it("first contact, run for real: waits for cloud-init, then fails naming the fix when sudo asks for a password or python3 is absent", () => {
        const calls = path.join(tempDir("wait-"), "calls");
        const bin = (sudoOk: boolean) =>
            fakeBin({
                "cloud-init": `echo "cloud-init $*" >> ${JSON.stringify(calls)}`,
                sudo: sudoOk ? "exit 0" : "echo 'sudo: a password is required' >&2; exit 1",
            });
        const keyFile = path.join(path.dirname(calls), "ssh_host_ed25519_key.pub");
        fs.writeFileSync(keyFile, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Q root@aio\n");
        const script = withVars(waitReadyScript(stackSettings("aio")), { HOST_KEY_FILE: keyFile });
        const ok = runScript(script, [], { PATH: `${bin(true)}:${process.env.PATH}` });
        assert.equal(ok.status, 0, ok.stderr);
        assert.match(ok.stdout, /^ready: \S+ /);
        assert.equal(
            ok.stdout.trim().split("\n").pop(),
            "host-key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHRlc3Q",
            "the host key last, without its comment",
        );
        assert.equal(fs.readFileSync(calls, "utf8"), "cloud-init status --wait\n");
        const noSudo = runScript(script, [], { PATH: `${bin(false)}:${process.env.PATH}` });
        assert.equal(noSudo.status, 1);
        assert.match(noSudo.stderr, /needs passwordless sudo .*openstack-aio:sshUser/);
        // A PATH with the basics but no python3.
        const basics = onlyTools(["bash", "id", "hostname", "grep", "cut", "tr", "timeout"]);
        const noPython = spawnSync("/bin/bash", ["-s"], {
            input: script,
            encoding: "utf8",
            env: { PATH: `${bin(true)}:${basics}` },
        });
        assert.equal(noPython.status, 1, noPython.stderr);
        assert.match(noPython.stderr, /python3 is missing on .*apt-get install python3/);
        fs.rmSync(keyFile);
        const noKey = runScript(script, [], { PATH: `${bin(true)}:${process.env.PATH}` });
        assert.equal(noKey.status, 1);
        assert.match(
            noKey.stderr,
            /ssh_host_ed25519_key\.pub is missing on .*ssh-keygen -A.*hostKey/,
        );
    });

    describe("run for real against a fake `ip` (interfaces as files of addresses)", () => {
        // links: name → IPv4 CIDRs on it.
        function run(
            links: Record<string, string[]>,
            vars: Record<string, string> = {},
            key = DEPLOY_PUB,
        ) {
            const home = tempDir("home-"),
                net = tempDir("net-");
            for (const [name, addrs] of Object.entries(links))
                fs.writeFileSync(path.join(net, name), addrs.map((a) => `${a}\n`).join(""));
            const bin = fakeBin({
                ip: `args="$*"
case "$args" in
    "link show dev "*) [ -f "$FAKE_NET/\${args#link show dev }" ] ;;
    "-o link show") for f in "$FAKE_NET"/*; do echo "1: $(basename "$f"): <UP> mtu 1500"; done ;;
    "-4 -o addr show dev "*) i=\${args#-4 -o addr show dev }; [ -f "$FAKE_NET/$i" ] || exit 1
        while read -r c; do echo "2: $i    inet $c brd 0.0.0.0 scope global $i"; done < "$FAKE_NET/$i" ;;
    *) echo "fake ip: unexpected: $args" >&2; exit 2 ;;
esac`,
            });
            const text = withVars(targetPrepareScript(settings, host, key), vars);
            const exec = () =>
                runScript(text, [], {
                    HOME: home,
                    FAKE_NET: net,
                    PATH: `${bin}:${process.env.PATH}`,
                });
            return { exec, home };
        }
        const seed = {
            eth1: ["10.10.10.51/24"],
            eth2: ["10.10.30.50/24"],
            eth3: ["192.168.100.50/24"],
        };

        it("on the seed's aio host: warns about eth3's lab address, authorizes the key once however often it runs", () => {
            const { exec, home } = run(seed);
            const first = exec(),
                second = exec();
            assert.equal(first.status, 0, first.stderr);
            assert.equal(second.status, 0, second.stderr);
            assert.match(
                first.stderr,
                /warning: eth3 carries 192\.168\.100\.50\/24; it stops answering once neutron adds eth3 to br-ex/,
            );
            const keys = fs.readFileSync(path.join(home, ".ssh/authorized_keys"), "utf8");
            assert.equal(keys, `${DEPLOY_PUB}\n`);
            assert.equal(mode(path.join(home, ".ssh")), "0700");
            assert.equal(mode(path.join(home, ".ssh/authorized_keys")), "0600");
        });

        it("keeps keys already authorized and fixes loose permissions", () => {
            const { exec, home } = run(seed);
            fs.mkdirSync(path.join(home, ".ssh"), { mode: 0o755 });
            fs.writeFileSync(
                path.join(home, ".ssh/authorized_keys"),
                "ssh-ed25519 AAAAother operator\n",
                { mode: 0o644 },
            );
            fs.chmodSync(path.join(home, ".ssh"), 0o755);
            assert.equal(exec().status, 0);
            assert.equal(
                fs.readFileSync(path.join(home, ".ssh/authorized_keys"), "utf8"),
                `ssh-ed25519 AAAAother operator\n${DEPLOY_PUB}\n`,
            );
            assert.equal(mode(path.join(home, ".ssh")), "0700");
            assert.equal(mode(path.join(home, ".ssh/authorized_keys")), "0600");
        });

        it("starts the key on a line of its own when authorized_keys lacks its final newline", () => {
            const { exec, home } = run(seed);
            fs.mkdirSync(path.join(home, ".ssh"), { mode: 0o700 });
            fs.writeFileSync(
                path.join(home, ".ssh/authorized_keys"),
                "ssh-ed25519 AAAAother operator",
                { mode: 0o600 },
            );
            assert.equal(exec().status, 0);
            assert.equal(exec().status, 0);
            assert.equal(
                fs.readFileSync(path.join(home, ".ssh/authorized_keys"), "utf8"),
                `ssh-ed25519 AAAAother operator\n${DEPLOY_PUB}\n`,
            );
        });

        it("an external interface without an address passes quietly", () => {
            const r = run({ ...seed, eth3: [] }).exec();
            assert.equal(r.status, 0, r.stderr);
            assert.doesNotMatch(r.stderr, /warning/);
        });

        it("fails when the external interface carries a management or API address", () => {
            for (const addr of ["10.10.10.99/24", "10.10.30.99/24"]) {
                const { exec, home } = run({ ...seed, eth3: [addr] });
                const r = exec();
                assert.equal(r.status, 1, addr);
                assert.match(
                    r.stderr,
                    new RegExp(
                        `external interface eth3 \\(openstack-aio:hosts\\[0\\]\\.interfaces\\.external\\) carries ${addr.replace(/\./g, "\\.")}, inside the management/API networks`,
                    ),
                );
                assert.ok(
                    !fs.existsSync(path.join(home, ".ssh/authorized_keys")),
                    "nothing authorized after a failed check",
                );
            }
        });

        it("fails naming the config key when an interface does not exist", () => {
            const r = run({ eth1: seed.eth1, eth2: seed.eth2 }).exec();
            assert.equal(r.status, 1);
            assert.match(
                r.stderr,
                /has no interface 'eth3' \(openstack-aio:hosts\[0\]\.interfaces\.external\); it has: eth1 eth2/,
            );
        });

        it("fails when the management interface does not hold the host's address, or the API interface its API address", () => {
            let r = run({ ...seed, eth1: ["10.10.10.77/24"] }).exec();
            assert.equal(r.status, 1);
            assert.match(
                r.stderr,
                /interface eth1 \(openstack-aio:hosts\[0\]\.interfaces\.management\) does not carry 10\.10\.10\.51 \(openstack-aio:hosts\[0\]\.address\)/,
            );
            r = run({ ...seed, eth2: ["10.10.30.77/24"] }).exec();
            assert.equal(r.status, 1);
            assert.match(
                r.stderr,
                /interface eth2 \(openstack-aio:hosts\[0\]\.interfaces\.api\) has no address 10\.10\.30\.50/,
            );
            // Without apiAddress, any address inside the API network will do.
            r = run({ ...seed, eth2: ["10.10.30.77/24"] }, { API_ADDRESS: "" }).exec();
            assert.equal(r.status, 0, r.stderr);
        });

        it("refuses to authorize something that is not an ed25519 public key", () => {
            const { exec, home } = run(seed, {}, "");
            const r = exec();
            assert.equal(r.status, 1);
            assert.match(r.stderr, /returned no ed25519 public key/);
            assert.ok(!fs.existsSync(path.join(home, ".ssh/authorized_keys")));
        });
    });
});
