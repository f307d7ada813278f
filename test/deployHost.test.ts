import { globalsValues } from "../render/globals";
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import * as pulumi from "@pulumi/pulumi";
import {
    configHash,
    legacyConfigHash,
    deployConfigScript,
    deployKeyScript,
    deployPrepareScript,
    kollaFiles,
    passwordsFileCommand,
} from "../render/deployHost";
import { DeployHost } from "../components/hosts/deployHost";
import { renderAnsibleCfg } from "../render/ansibleCfg";
import { renderGlobals } from "../render/globals";
import { hostsList } from "../render/kolla";
import { renderInventory } from "../render/inventory";
import { kollaPaths } from "../render/paths";
import { Graph, runIndex, runProgram } from "../tools/evaluate/harness";
import {
    stackRunOptions,
    stackSettings,
    TEST_PRIVATE_KEY,
    TEST_PUBLIC_KEY,
} from "../tools/evaluate/stack";
import { tempDir } from "./support/tools";
import { input, inputString } from "./support/narrow";
import {
    ADMIN_PW,
    assertNoLeaks,
    DEPLOY_PUB,
    FAKE_SUDO,
    fakeBin,
    KOLLA_PASSWORDS,
    lifecycleOutputs,
    mode,
    OCTAVIA_PW,
    PRIVATE_KEY_BODY,
    runScript,
    withVars,
} from "./support/lifecycle";

function deployHost(overrides: Record<string, unknown> = {}): Promise<Graph> {
    const settings = stackSettings("aio", overrides);
    return runProgram(
        () => {
            const d = new DeployHost("deploy-host", {
                settings,
                privateKey: pulumi.secret(TEST_PRIVATE_KEY),
            });
            return {
                publicKey: d.publicKey,
                adminPassword: d.adminPassword,
                octaviaPassword: d.octaviaPassword,
                kollaPasswords: d.kollaPasswords,
                configHash: d.configHash,
                ready: d.ready.urn,
                toolsReady: d.toolsReady.urn,
            };
        },
        { outputs: lifecycleOutputs },
    );
}

const COMMANDS = [
    "reachable",
    "deploy-key",
    "prepare",
    "kolla-config",
    "inventory",
    "passwords-file",
    "passwords",
].map((n) => `deploy-host-${n}`);

describe("DeployHost: graph", () => {
    let g: Graph;
    before(async () => {
        g = await deployHost();
    });

    it("runs every step on the deploy host, children of the component", () => {
        for (const n of COMMANDS) {
            const r = g.get(n, "command:remote:Command");
            assert.equal(input(r, "connection.host"), "10.10.10.50", n);
            assert.equal(input(r, "connection.user"), "vagrant", n);
            assert.equal(r.parent, g.get("deploy-host").urn, n);
            assert.equal(r.inputs.delete, undefined, `${n}: no destructive delete`);
        }
        assert.equal(g.get("deploy-host").type, "openstack-aio:deploy:DeployHost");
    });

    it("orders first contact → tools → /etc/kolla files → inventory splice → passwords merge", () => {
        const dep = (a: string, b: string) =>
            assert.ok(
                g.dependsOn(g.get(`deploy-host-${a}`), g.get(`deploy-host-${b}`)),
                `${a} after ${b}`,
            );
        dep("deploy-key", "reachable");
        dep("prepare", "reachable");
        dep("kolla-config", "prepare");
        dep("inventory", "kolla-config");
        dep("passwords-file", "prepare");
        dep("passwords", "passwords-file");
        dep("passwords", "inventory");
        dep("self-check", "passwords");
        assert.equal(
            g.exports.ready,
            g.get("deploy-host-self-check").urn,
            "ready = /etc/kolla complete and the self-check passed",
        );
        assert.equal(
            g.exports.toolsReady,
            g.get("deploy-host-prepare").urn,
            "toolsReady = venv and clients",
        );
        // deploy-key first refuses a deploy host that serves another stack: nothing shared is touched before it.
        dep("prepare", "deploy-key");
    });

    it("returns the public half of the key generated on the host (last stdout line), never the private one", () => {
        assert.equal(g.exports.publicKey, DEPLOY_PUB);
        const key = g.get("deploy-host-deploy-key");
        assert.match(
            inputString(key, "stdin"),
            /\[ -f "\$KEY" \] \|\| ssh-keygen -q -t ed25519 -N '' /,
        );
        assert.match(
            inputString(key, "stdin"),
            /readonly KEY='\/opt\/openstack-aio\/ssh\/deploy_key'/,
        );
        assert.match(
            inputString(key, "stdin"),
            /cat "\$KEY\.pub"\n\}/,
            "prints only the public key, last",
        );
    });

    it("owns keystone_admin_password and octavia_keystone_password as @pulumi/random secrets", async () => {
        const pws = g
            .ofType("random:index/randomPassword:RandomPassword")
            .map((r) => r.name)
            .sort();
        assert.deepEqual(pws, [
            "deploy-host-keystone-admin-password",
            "deploy-host-octavia-keystone-password",
        ]);
        assert.equal(g.exports.adminPassword, ADMIN_PW);
        assert.equal(g.exports.octaviaPassword, OCTAVIA_PW);
        assert.ok(
            g.secretExports.includes("adminPassword") &&
                g.secretExports.includes("octaviaPassword"),
        );
        const off = await deployHost({ enableOctavia: false });
        assert.deepEqual(
            off.ofType("random:index/randomPassword:RandomPassword").map((r) => r.name),
            ["deploy-host-keystone-admin-password"],
        );
        assert.equal(off.exports.octaviaPassword, undefined);
        assert.doesNotMatch(inputString(off.get("deploy-host-passwords-file"), "stdin"), /octavia/);
    });

    it("sends the passwords only as the secret stdin of an unlogged command writing a 0600 file", () => {
        const file = g.get("deploy-host-passwords-file");
        assert.ok(file.secretPaths.includes("stdin"));
        assert.equal(file.inputs.logging, "none");
        for (const o of ["stdout", "stderr"])
            assert.ok(file.additionalSecretOutputs.includes(o), o);
        assert.match(
            inputString(file, "stdin"),
            new RegExp(`keystone_admin_password: ${ADMIN_PW}`),
        );
        assert.match(
            inputString(file, "stdin"),
            new RegExp(`octavia_keystone_password: ${OCTAVIA_PW}`),
        );
        assert.equal(
            file.inputs.create,
            passwordsFileCommand("/opt/openstack-aio/passwords-override.yml"),
        );
        const merge = g.get("deploy-host-passwords");
        assert.ok(
            merge.secretPaths.some((p) => p.startsWith("triggers")),
            "the re-merge trigger (a password hash) stays secret",
        );
        assert.doesNotMatch(JSON.stringify(merge.inputs.stdin), /mock-password/);
    });

    it("keeps passwords.yml as the merge printed it, a secret never logged; the stack exports it to restore from", async () => {
        const merge = g.get("deploy-host-passwords");
        assert.equal(merge.inputs.create, "bash -s -- create");
        assert.equal(merge.inputs.update, "bash -s -- update", "an update never generates anew");
        assert.equal(merge.inputs.logging, "stderr", "stdout (passwords.yml) is not streamed");
        assert.ok(merge.additionalSecretOutputs.includes("stdout"));
        assert.equal(g.exports.kollaPasswords, KOLLA_PASSWORDS);
        assert.ok(g.secretExports.includes("kollaPasswords"));
        const stack = await runIndex(
            stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY } }),
        );
        assert.ok(stack.secretExports.includes("kollaPasswords"), "a secret stack output");
    });

    it("never puts the private key or a password into a command or a plain input", () => {
        assertNoLeaks(g, [PRIVATE_KEY_BODY, ADMIN_PW, OCTAVIA_PW]);
    });
});

describe("DeployHost: what it installs and writes", () => {
    const settings = stackSettings("aio");

    it("installs the venv as kolla 2023.1's CI does: one constrained resolution, then the collection from a tag", () => {
        const s = deployPrepareScript(settings).text;
        assert.match(s, /readonly VENV='\/opt\/venv\/2023\.1'/);
        assert.match(
            s,
            /readonly -a PACKAGES=\('ansible-core==2\.14\.18' 'ansible==7\.7\.0' 'kolla-ansible @ git\+https:\/\/opendev\.org\/openstack\/kolla-ansible@2023\.1-eol' 'python-openstackclient' 'python-octaviaclient'\)/,
        );
        assert.match(
            s,
            /readonly UPPER_CONSTRAINTS='https:\/\/opendev\.org\/openstack\/requirements\/raw\/tag\/2023\.1-eom\/upper-constraints\.txt'/,
        );
        assert.match(
            s,
            /readonly -a APT_PACKAGES=\('python3-dev' 'python3-venv' 'python3-pip' 'libffi-dev' 'gcc' 'libssl-dev' 'git'\)\n/,
        );
        assert.match(s, /install -y "\$\{APT_PACKAGES\[@\]\}"\n/);
        assert.match(
            s,
            /if \[ ! -x "\$VENV\/bin\/python" \] \|\| \[ ! -x "\$VENV\/bin\/pip" \] \|\| \[ "\$venv_python" != "\$system_python" \]; then\n.*\n\s+python3 -m venv --clear "\$VENV"/,
            "venv created only when absent, incomplete or built by another Python",
        );
        assert.equal(
            (s.match(/pip install -q -c /g) ?? []).length,
            1,
            "one constrained pip run: a second could downgrade the first",
        );
        assert.match(s, /export VIRTUAL_ENV="\$VENV" PATH="\$VENV\/bin:\$PATH"/);
        assert.match(
            s,
            /ansible-galaxy collection install --force -r "\$STATE_DIR\/collections\.yml"/,
        );
        assert.match(s, /DPkg::Lock::Timeout=600/);
    });

    it("writes exactly the rendered globals.yml, inventory top groups and ansible.cfg", () => {
        const p = kollaPaths("2023.1");
        const files = kollaFiles(settings);
        assert.equal(files.globals, renderGlobals(settings));
        assert.equal(
            files.inventoryTop,
            renderInventory(settings, { privateKeyFile: p.deployKey }),
        );
        assert.equal(files.ansibleCfg, renderAnsibleCfg(settings));
        assert.match(
            files.inventoryTop,
            /ansible_private_key_file=\/opt\/openstack-aio\/ssh\/deploy_key/,
        );
    });

    it("hashes what kolla-ansible reads: the VIP changes it, cirros and the tenant network do not", () => {
        const base = configHash(settings);
        assert.equal(configHash(stackSettings("aio")), base);
        assert.notEqual(configHash(stackSettings("aio", { vip: "10.10.30.56" })), base);
        assert.notEqual(
            renderGlobals(stackSettings("aio", { vip: "10.10.30.56" })),
            renderGlobals(settings),
        );
        assert.equal(configHash(stackSettings("aio", { cirrosVersion: "0.6.2" })), base);
        const tenant = {
            ...settings.networks,
            tenant: { cidr: "10.20.0.0/24", dnsServers: ["1.1.1.1"] },
        };
        assert.equal(configHash(stackSettings("aio", { networks: tenant })), base);
    });

    it("recognises what earlier versions deployed: legacyConfigHash is their stages' config hash (from commit fd75611)", () => {
        // Printed into deploy.log by earlier versions' kolla-stage.sh; deploy-config adopts a running cloud whose last
        // deploy logged the hash of the configuration rendered now (kolla-adopt.sh). fd75611 logged c9aeaf47… (aio) and
        // f7155f7d… (multinode). This version renders those stacks differently: the registry over TLS
        // (docker_registry_insecure false, docker_registry_ca on every host line), which bootstrap-servers must apply.
        // So they are not adopted: their stages run once, as they must.
        assert.notEqual(legacyConfigHash(stackSettings("aio")), "c9aeaf47d58258d9");
        assert.notEqual(legacyConfigHash(stackSettings("multinode")), "f7155f7d8291a978");
        assert.match(
            String(globalsValues(stackSettings("aio")).docker_registry_insecure),
            /^false$/,
        );
        // The hash follows the configuration and the legacy forks, nothing else.
        assert.equal(
            legacyConfigHash(stackSettings("aio")),
            legacyConfigHash(stackSettings("aio")),
        );
        assert.notEqual(
            legacyConfigHash(stackSettings("aio", { novaVirtType: "qemu" })),
            legacyConfigHash(stackSettings("aio")),
        );
        // The deploy host's own hash follows ansible.cfg as it is written now.
        assert.notEqual(
            configHash(stackSettings("multinode")),
            legacyConfigHash(stackSettings("multinode")),
        );
    });

    it("deploy-key.sh, run twice: one key pair, the same public key, private half 0600 in a 0700 dir", () => {
        const state = tempDir("state-");
        const key = path.join(state, "ssh", "deploy_key");
        const owner = path.join(state, "stack");
        const text = withVars(deployKeyScript(settings, "openstack-aio/aio"), {
            STATE_DIR: state,
            KEY: key,
            OWNER_FILE: owner,
        });
        const first = runScript(text, [], {});
        assert.equal(first.status, 0, first.stderr);
        const priv = fs.readFileSync(key, "utf8");
        const second = runScript(text, [], {});
        assert.equal(second.status, 0, second.stderr);
        assert.equal(second.stdout, first.stdout);
        assert.match(first.stdout.trim(), /^ssh-ed25519 AAAA\S+ openstack-aio-deploy@/);
        assert.equal(first.stdout.trim().split("\n").length, 1, "stdout is the public key only");
        assert.equal(fs.readFileSync(key, "utf8"), priv, "kept, not regenerated");
        assert.equal(mode(key), "0600");
        assert.equal(mode(path.dirname(key)), "0700");
        assert.ok(!first.stdout.includes("PRIVATE KEY"));
    });

    it("deploy-key.sh serves one stack: another stack on the same deploy host is refused, naming both and the fix", () => {
        const state = tempDir("state-");
        const vars = {
            STATE_DIR: state,
            KEY: path.join(state, "ssh", "deploy_key"),
            OWNER_FILE: path.join(state, "stack"),
        };
        const run = (stack: string) =>
            runScript(withVars(deployKeyScript(settings, stack), vars), [], {});
        assert.equal(run("openstack-aio/aio").status, 0);
        assert.equal(fs.readFileSync(vars.OWNER_FILE, "utf8"), "openstack-aio/aio\n");
        const other = run("openstack-aio/staging");
        assert.equal(other.status, 1, other.stdout);
        assert.match(
            other.stderr,
            /is the deploy host of stack openstack-aio\/aio \(\S+\/stack\), so stack openstack-aio\/staging would share its \/etc\/kolla, passwords\.yml, deploy key and lock: give this stack a deploy host of its own \(openstack-aio:deployHost\)/,
        );
        assert.equal(other.stdout, "", "no public key handed to the other stack's targets");
        assert.equal(run("openstack-aio/aio").status, 0, "its own stack goes on");
    });

    it("deploy-config.sh, run twice: the same files with the same modes", () => {
        const dir = tempDir("kolla-");
        const files = {
            GLOBALS_FILE: path.join(dir, "globals.yml"),
            INVENTORY_TOP_FILE: path.join(dir, "inventory-top.ini"),
            ANSIBLE_CFG_FILE: path.join(dir, "ansible", "ansible.cfg"),
        };
        const elsewhere = tempDir("state-");
        const text = withVars(deployConfigScript(settings), {
            ...files,
            LOCK_FILE: path.join(elsewhere, "deploy.lock"),
            PROGRESS_FILTER_FILE: path.join(elsewhere, "ansible-progress.py"),
            HOSTS_FILE: path.join(elsewhere, "hosts.list"),
            FORCE_REMOVE_FILE: path.join(elsewhere, "force-remove-hosts"),
            APPLIED_DIR: path.join(elsewhere, "applied"),
            DEPLOYED_MARKER: path.join(elsewhere, "deployed-release"),
            DEPLOY_LOG: path.join(elsewhere, "deploy.log"),
        });
        const env = { PATH: `${fakeBin({ sudo: FAKE_SUDO })}:${process.env.PATH}` };
        for (let i = 0; i < 2; i++) {
            const r = runScript(text, [], env);
            assert.equal(r.status, 0, r.stderr);
            const f = kollaFiles(settings);
            assert.equal(fs.readFileSync(files.GLOBALS_FILE, "utf8"), f.globals);
            assert.equal(fs.readFileSync(files.INVENTORY_TOP_FILE, "utf8"), f.inventoryTop);
            assert.equal(fs.readFileSync(files.ANSIBLE_CFG_FILE, "utf8"), f.ansibleCfg);
            assert.equal(
                fs.readFileSync(path.join(elsewhere, "hosts.list"), "utf8"),
                `${hostsList(settings).join("\n")}\n`,
            );
            assert.equal(fs.readFileSync(path.join(elsewhere, "force-remove-hosts"), "utf8"), "");
            assert.deepEqual(
                fs.readdirSync(path.join(elsewhere, "applied")),
                [],
                "nothing deployed: no record",
            );
            assert.equal(mode(files.GLOBALS_FILE), "0640");
            assert.equal(mode(files.ANSIBLE_CFG_FILE), "0644");
            assert.deepEqual(
                fs.readdirSync(dir).sort(),
                ["ansible", "globals.yml", "inventory-top.ini"],
                "no temp files left",
            );
        }
    });

    it("deploy-prepare.sh, run twice against stand-ins for apt, python3 -m venv, pip and kolla-ansible: same steps, venv made once", () => {
        const root = tempDir("deploy-prepare-");
        const dirs = {
            STATE_DIR: path.join(root, "state"),
            LOG_DIR: path.join(root, "log"),
            CONFIG_DIR: path.join(root, "etc-kolla"),
            VENV: path.join(root, "venv"),
        };
        const calls = path.join(root, "calls");
        const record = `echo "$(basename "$0") $*" >> ${JSON.stringify(calls)}`;
        const venvTool = (extra: string) => `#!/usr/bin/env bash\\n${record}\\n${extra}`;
        const bin = fakeBin({
            sudo: FAKE_SUDO,
            "apt-get": record,
            // The system's pip (python3-pip), which installs into ~/.local: never the one to run.
            pip: `echo "system-pip $*" >> ${JSON.stringify(calls)}`,
            // The system's Python: 3.10 (jammy) unless FAKE_PYTHON says otherwise (a host moved to noble: 3.12).
            python3: `[ "$1" != -c ] || { echo "\${FAKE_PYTHON:-3.10}"; exit 0; }
${record}
[ "$1 $2" = "-m venv" ] || exit 64
d=\${@: -1}
[ "$3" != --clear ] || rm -rf "$d"
mkdir -p "$d/bin"
printf 'home = /usr/bin\\nversion = %s.9\\n' "\${FAKE_PYTHON:-3.10}" > "$d/pyvenv.cfg"
for t in python pip ansible ansible-galaxy openstack; do printf '${venvTool("")}' > "$d/bin/$t"; done
printf '${venvTool(`[ "$1" != --version ] || echo "kolla-ansible 16.7.1.dev"`)}' > "$d/bin/kolla-ansible"
chmod +x "$d"/bin/*`,
        });
        const text = withVars(deployPrepareScript(settings), {
            ...dirs,
            LOCK_FILE: path.join(dirs.STATE_DIR, "deploy.lock"),
        });
        const steps = () =>
            fs
                .readFileSync(calls, "utf8")
                .trim()
                .split("\n")
                .filter((l) => !/--version/.test(l));
        const r = runScript(text, [], { PATH: `${bin}:${process.env.PATH}` });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^deploy-prepare: kolla-ansible 16\.7\.1\.dev, /m);
        const expected = [
            "apt-get -o DPkg::Lock::Timeout=600 -q update",
            "apt-get -o DPkg::Lock::Timeout=600 -q install -y python3-dev python3-venv python3-pip libffi-dev gcc libssl-dev git",
            `python3 -m venv --clear ${dirs.VENV}`,
            "pip install -q pip==24.0 setuptools==69.5.1 wheel==0.43.0",
            // One resolution under the immutable constraints (requirements tag 2023.1-eom), as kolla's CI installs it.
            "pip install -q -c https://opendev.org/openstack/requirements/raw/tag/2023.1-eom/upper-constraints.txt ansible-core==2.14.18 ansible==7.7.0 kolla-ansible @ git+https://opendev.org/openstack/kolla-ansible@2023.1-eol python-openstackclient python-octaviaclient",
            `ansible-galaxy collection install --force -r ${dirs.STATE_DIR}/collections.yml`,
        ];
        assert.deepEqual(steps(), expected);
        assert.deepEqual(
            YAML.parse(fs.readFileSync(path.join(dirs.STATE_DIR, "collections.yml"), "utf8")),
            {
                collections: [
                    {
                        name: "https://opendev.org/openstack/ansible-collection-kolla",
                        type: "git",
                        version: "2023.1-eol",
                    },
                ],
            },
        );
        assert.equal(mode(dirs.LOG_DIR), "0700", "stage logs can hold passwords");
        fs.writeFileSync(calls, "");
        const again = runScript(text, [], { PATH: `${bin}:${process.env.PATH}` });
        assert.equal(again.status, 0, again.stderr);
        assert.deepEqual(
            steps(),
            expected.filter((l) => !l.startsWith("python3 -m venv")),
            "the venv is kept; the rest converges again",
        );
        // A venv whose creation was killed before ensurepip: python is there, pip is not. It is made again, and no
        // pip run falls through to the system's.
        fs.rmSync(path.join(dirs.VENV, "bin", "pip"));
        fs.writeFileSync(calls, "");
        const repaired = runScript(text, [], { PATH: `${bin}:${process.env.PATH}` });
        assert.equal(repaired.status, 0, repaired.stderr);
        assert.deepEqual(steps(), expected, "the broken venv is made again, then used");
        // The host moved from Ubuntu 22.04 to 24.04: the venv's Python 3.10 is gone, 3.12 never reads its packages.
        fs.writeFileSync(calls, "");
        const moved = runScript(text, [], {
            PATH: `${bin}:${process.env.PATH}`,
            FAKE_PYTHON: "3.12",
        });
        assert.equal(moved.status, 0, moved.stderr);
        assert.deepEqual(steps(), expected, "rebuilt for the new Python");
        assert.match(
            moved.stdout,
            /\(re\)building .* for Python 3\.12 .*\(it was built for 3\.10\)/,
        );
        assert.match(
            fs.readFileSync(path.join(dirs.VENV, "pyvenv.cfg"), "utf8"),
            /version = 3\.12\./,
        );
    });

    it("the passwords-file command writes its stdin to a 0600 file, replacing a looser one", () => {
        const file = path.join(tempDir("pw-"), "passwords-override.yml");
        fs.writeFileSync(file, "old\n", { mode: 0o644 });
        const r = spawnSync("bash", ["-c", passwordsFileCommand(file)], {
            input: `keystone_admin_password: ${ADMIN_PW}\n`,
            encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(fs.readFileSync(file, "utf8"), `keystone_admin_password: ${ADMIN_PW}\n`);
        assert.equal(mode(file), "0600");
        assert.equal(r.stdout + r.stderr, "", "prints nothing");
        assert.ok(!passwordsFileCommand(file).includes(ADMIN_PW));
    });
});
