// Facts about kolla-ansible 2023.1, its collection, Octavia and Docker that the first real deployment proved the hard
// way, carried into assertions on what lands on the hosts. Each names where the fact comes from; the upstream trees
// themselves are not read here (a user's clone has none).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { hostScripts } from "../render/hostFiles";
import { AMPHORA_HOST_PACKAGES, amphoraBuildScript } from "../render/amphora";
import { kollaImages, REGISTRY_IMAGE, SKOPEO_IMAGE } from "../render/images";
import { globalsValues } from "../render/globals";
import { stageScript } from "../render/kolla";
import { runIndex } from "../tools/evaluate/harness";
import {
    collectionsFile,
    deployPrepareScript,
    kollaFiles,
    selfCheckScript,
    stagePlaybooks,
} from "../render/deployHost";
import { Script } from "../render/script";
import {
    bootstrapHash,
    hostScript,
    isBootstrapVariable,
    RECONFIGURE_SCOPES,
} from "../render/kolla";
import { NOVA_VIRT_TYPES } from "../config/schema";
import { fakeBin, FAKE_SUDO, runScript, withVars } from "./support/lifecycle";
import { stackRunOptions, stackSettings, stackValues } from "../tools/evaluate/stack";
import { tempDir } from "./support/tools";
import { input, inputString } from "./support/narrow";

const VARIANTS: Record<string, Record<string, unknown>> = {
    aio: {},
    "octavia off": { enableOctavia: false },
    tls: { enableTls: true },
    allowDestroy: { allowDestroy: true },
};
/** A script without its comment lines: what bash runs. */
const code = (s: Script): string => s.text.replace(/^\s*#.*$/gm, "");

describe("upstream facts: kolla-ansible 2023.1 on the deploy host", () => {
    const aio = stackSettings("aio");

    it("every script that runs a venv tool exports VIRTUAL_ENV (tools/kolla-ansible find_base_dir needs it)", () => {
        for (const [variant, overrides] of Object.entries(VARIANTS)) {
            for (const s of hostScripts(stackSettings("aio", overrides))) {
                if (!/\$VENV\b/.test(code(s))) continue;
                if (s.name === "amphora-build.sh") continue; // its own venv, checked below
                assert.match(
                    s.text,
                    /export VIRTUAL_ENV="\$VENV" PATH="\$VENV\/bin:\$PATH"/,
                    `${variant}: ${s.name}`,
                );
            }
        }
        assert.match(
            amphoraBuildScript(aio).text,
            /export VIRTUAL_ENV="\$DIB_VENV" PATH="\$DIB_VENV\/bin:\$PATH"/,
        );
    });

    it("every script that runs Ansible keeps the collections in the release's own venv (a venv built beside it changes nothing it runs)", () => {
        // A script runs Ansible when it carries kolla-cli.sh's run_kolla, or calls an Ansible tool itself (its body:
        // not the values above it, such as the progress filter deploy-config installs).
        const runs = (s: Script) => code(s).slice(code(s).indexOf("\nmain() {"));
        let checked = 0;
        for (const stack of ["aio", "aio-2026.1", "multinode"]) {
            for (const s of hostScripts(stackSettings(stack, { allowDestroy: true }))) {
                if (
                    !/^run_kolla\(\) \{|ansible-playbook |ansible-galaxy |timeout \d+ ansible /m.test(
                        runs(s),
                    )
                )
                    continue;
                checked++;
                assert.match(
                    s.text,
                    /export VIRTUAL_ENV="\$VENV" PATH="\$VENV\/bin:\$PATH" ANSIBLE_COLLECTIONS_PATH="\$VENV\/share\/ansible\/collections"\n/,
                    `${stack}: ${s.name}`,
                );
            }
        }
        assert.ok(checked > 20, `${checked} scripts run Ansible`);
    });

    it("no script runs `kolla-ansible install-deps` (2023.1-eol's requirements.yml names the deleted unmaintained/2023.1)", () => {
        for (const overrides of Object.values(VARIANTS)) {
            for (const s of hostScripts(stackSettings("aio", overrides)))
                assert.doesNotMatch(code(s), /install-deps/, s.name);
        }
    });

    it("installs the `ansible` 7.x bundle with ansible-core 2.14 (kolla's tests/run.yml: ansible-core==2.14.*, ansible==7.*)", () => {
        const packages = aio.pins.deployHostPackages;
        assert.ok(
            packages.some((p) => /^ansible==7\.\d+\.\d+$/.test(p)),
            "community.general/ansible.posix/ansible.utils come with it",
        );
        assert.ok(
            packages.some((p) => /^ansible-core==2\.14\.\d+$/.test(p)),
            "kolla-ansible 2023.1 accepts ansible-core 2.13-2.14",
        );
        assert.ok(
            packages.some((p) =>
                /^kolla-ansible @ git\+https:\/\/opendev\.org\/openstack\/kolla-ansible@2023\.1-eol$/.test(
                    p,
                ),
            ),
        );
        assert.match(deployPrepareScript(aio).text, /'ansible==7\.7\.0'/);
    });

    it("references no branch of kolla-ansible, the collection, octavia, octavia-lib or requirements (deleted upstream)", () => {
        for (const overrides of Object.values(VARIANTS)) {
            for (const s of hostScripts(stackSettings("aio", overrides))) {
                assert.doesNotMatch(
                    code(s),
                    /stable\/2023\.1|unmaintained\/2023\.1|constraints\/upper\/2023\.1|raw\/branch\//,
                    s.name,
                );
            }
        }
        // Upper constraints from the requirements repo's tag, not releases.openstack.org's moving redirect.
        assert.match(
            aio.pins.upperConstraints,
            /\/requirements\/raw\/tag\/2023\.1-eom\/upper-constraints\.txt$/,
        );
    });

    it("installs openstack.kolla from its 2023.1-eol tag with ansible-galaxy (collection tag 2023.1-eol = commit aa0a0da)", () => {
        assert.equal(
            collectionsFile(aio),
            "collections:\n  - name: https://opendev.org/openstack/ansible-collection-kolla\n    type: git\n    version: 2023.1-eol\n",
        );
        assert.match(
            deployPrepareScript(aio).text,
            /ansible-galaxy collection install --force -r "\$STATE_DIR\/collections\.yml"/,
        );
    });

    it('pins docker-ce on every target as kolla 2023.1\'s CI did (tests/templates/globals-default.j2: docker_apt_package_pin "5:20.*")', () => {
        for (const stack of ["aio", "multinode"]) {
            const s = stackSettings(stack);
            const hostLines = kollaFiles(s)
                .inventoryTop.split("\n")
                .filter((l) => /ansible_host=/.test(l));
            assert.ok(hostLines.length >= s.hosts.length);
            for (const line of hostLines)
                assert.match(line, / docker_apt_package_pin=5:20\.\*( |$)/, line);
        }
    });
});

describe("upstream facts: kolla's runbooks for day-2 changes (2023.1-eol and 22.1.0)", () => {
    const lines = (f: string) =>
        fs
            .readFileSync(path.join(__dirname, "fixtures", f), "utf8")
            .split("\n")
            .filter((l) => l && !l.startsWith("#"));

    it("what bootstrap-servers installs depends on every variable of the collection's roles it applies, and on no service's", () => {
        const collection = lines("kolla-collection-bootstrap-variables.txt");
        assert.ok(collection.length > 100);
        assert.deepEqual(
            collection.filter((v) => !isBootstrapVariable(v)),
            [],
        );
        for (const v of [
            "nova_compute_virt_type",
            "enable_heat",
            "kolla_internal_vip_address",
            "ceph_nova_user",
            "openstack_region_name",
        ])
            assert.ok(!isBootstrapVariable(v), v);
        const aio = stackSettings("aio");
        assert.notEqual(
            bootstrapHash(stackSettings("aio", { extraGlobals: { docker_log_max_file: 3 } })),
            bootstrapHash(aio),
        );
        assert.equal(
            bootstrapHash(stackSettings("aio", { extraGlobals: { nova_console: "spice" } })),
            bootstrapHash(aio),
        );
    });

    it("novaVirtType reconfigures `--tags nova` on the `compute` group: the nova-cell role reads it, every nova.yml play is tagged nova", () => {
        // kolla-ansible 2023.1-eol and 22.1.0: ansible/nova.yml plays carry `tags: [nova, ...]`; site.yml imports
        // nova.yml untagged and tags its fact-gathering and grouping plays `always`; nova-cell's templates
        // (nova.conf.d/libvirt.conf.j2 virt_type) are where nova_compute_virt_type lands, on the compute group.
        assert.deepEqual(RECONFIGURE_SCOPES, [
            {
                name: "nova-compute",
                keys: ["nova_compute_virt_type"],
                tags: ["nova"],
                group: "compute",
            },
        ]);
        // The two values the settings accept are both `in ['kvm', 'qemu']`: the group_vars derived from it agree.
        assert.deepEqual([...NOVA_VIRT_TYPES].sort(), ["kvm", "qemu"]);
    });

    it("every script's STAGE is a kolla-ansible subcommand (kolla-check derives the playbook from it for the cliff CLI)", () => {
        // kolla-ansible 22.1.0 setup.cfg [entry_points] kolla_ansible.cli (the subcommands the cliff app knows).
        const SUBCOMMANDS =
            "gather-facts install-deps prechecks genconfig reconfigure validate-config bootstrap-servers pull certificates octavia-certificates deploy deploy-containers post-deploy upgrade stop destroy prune-images deploy-bifrost deploy-servers upgrade-bifrost rabbitmq-reset-state mariadb-backup mariadb-recovery nova-libvirt-cleanup check migrate-container-engine".split(
                " ",
            );
        for (const overrides of [{}, { enableTls: true }]) {
            for (const stack of ["aio", "multinode"]) {
                for (const sc of hostScripts(stackSettings(stack, overrides))) {
                    const stage = /^readonly STAGE='([^']*)'$/m.exec(sc.text)?.[1];
                    if (stage !== undefined)
                        assert.ok(SUBCOMMANDS.includes(stage), `${sc.name}: STAGE ${stage}`);
                }
            }
        }
    });

    it("a host's removal stops it with `stop --yes-i-really-really-mean-it` (tools/kolla-ansible 2023.1-eol refuses stop without it)", () => {
        const text = hostScript(
            stackSettings("aio"),
            stackSettings("aio").hosts[0],
            "ssh-ed25519 AAAA",
        ).text;
        assert.match(
            text,
            /run_kolla "\$STOP_TIMEOUT" stop --yes-i-really-really-mean-it --limit "\$LIMIT"/,
        );
        // kolla's runbook: compute service list/delete with --os-compute-api-version 2.53 (service ids are UUIDs).
        assert.match(text, /compute service list --os-compute-api-version 2\.53 --host/);
        assert.match(text, /compute service delete --os-compute-api-version 2\.53/);
    });
});

describe("upstream facts: the amphora build (octavia 2023.1-eom diskimage-create)", () => {
    const s = amphoraBuildScript(stackSettings("aio")).text;

    it("pins the element refs to the commits behind 2023.1-eom (the elements default to deleted stable/2023.1 branches)", () => {
        // octavia 2023.1-eom^{commit} = 97603dd…, octavia-lib 2023.1-eom^{commit} = 5ec74a4…; diskimage-builder's
        // source-repositories fetches a SHA via all heads and tags, then `rev-parse <sha>^{commit}`.
        assert.match(s, /readonly AMPHORA_AGENT_COMMIT='97603dde566364c63e381c9bb557e8a430656dbc'/);
        assert.match(s, /readonly OCTAVIA_LIB_COMMIT='5ec74a4dbeda9b65fbe3cdae078fca713a1dad74'/);
        assert.match(
            s,
            /DIB_REPOREF_amphora_agent="\$AMPHORA_AGENT_COMMIT" DIB_REPOREF_octavia_lib="\$OCTAVIA_LIB_COMMIT"/,
        );
        assert.match(s, /DIB_REPOLOCATION_upper_constraints="\$UPPER_CONSTRAINTS"/);
        assert.match(s, /readonly OCTAVIA_REF='2023\.1-eom'/);
    });

    it("runs apt with update and a lock timeout, and installs diskimage-create's host tools", () => {
        assert.match(
            s,
            /apt-get -o DPkg::Lock::Timeout=600 -q\)\n\s+"\$\{apt\[@\]\}" update\n\s+"\$\{apt\[@\]\}" install -y "\$\{HOST_PACKAGES\[@\]\}"/,
        );
        // diskimage-create.sh refuses to start unless these are installed (its Ubuntu PKG_LIST).
        for (const p of ["qemu-utils", "git", "kpartx", "debootstrap"])
            assert.ok((AMPHORA_HOST_PACKAGES as readonly string[]).includes(p), p);
        assert.match(
            s,
            /pip" install -q -c "\$UPPER_CONSTRAINTS" -r "\$CACHE_DIR\/octavia-\$OCTAVIA_REF\/diskimage-create\/requirements\.txt"/,
        );
    });
});

describe("upstream facts: the containers this program runs on the deploy host", () => {
    it("pulls each by digest or by an immutable tag, and runs none but those", async () => {
        for (const stack of ["aio", "multinode"]) {
            const g = await runIndex(stackRunOptions({ stack, overrides: { enableTls: true } }));
            const pulled = g.ofType("docker:index/remoteImage:RemoteImage");
            assert.deepEqual(
                pulled.map((r) => input(r, "name")).sort(),
                [REGISTRY_IMAGE, SKOPEO_IMAGE].sort(),
                stack,
            );
            for (const r of pulled) {
                // Docker resolves name:tag@digest by the digest alone (moby v24.0.7 reference/store.go Get); a
                // containers/image_build "-immutable" tag is never overwritten once pushed (its README).
                assert.match(
                    inputString(r, "name"),
                    /(@sha256:[0-9a-f]{64}|:v\d+\.\d+\.\d+-immutable)$/,
                    r.name,
                );
            }
            const ids = new Set(pulled.map((r) => `${r.name}-id`));
            for (const c of g.ofType("docker:index/container:Container")) {
                const image = inputString(c, "image");
                assert.ok(ids.has(image) || image.startsWith("sha256:"), `${c.name} runs ${image}`);
            }
        }
    });
});

describe("the deploy host's self-check (before any target is touched)", () => {
    const settings = stackSettings("aio");

    it("parses every playbook the stages run, with the rendered inventory, globals and passwords", () => {
        assert.deepEqual(stagePlaybooks(settings), [
            "kolla-host.yml",
            "octavia-certificates.yml",
            "site.yml",
            "post-deploy.yml",
        ]);
        assert.deepEqual(
            stagePlaybooks(stackSettings("aio", { enableOctavia: false, allowDestroy: true })),
            ["kolla-host.yml", "site.yml", "post-deploy.yml", "destroy.yml"],
        );
        const text = selfCheckScript(settings).text;
        assert.match(
            text,
            /ansible-playbook --syntax-check "\$\{vars\[@\]\}" "\$share\/\$playbook"/,
        );
        assert.match(text, /readonly PROBE_HOST='aio'/);
    });

    /** The self-check against stand-ins for ansible-playbook and ansible that print what the real ones print. */
    function run(playbookOut: string, adhocOut: string) {
        const root = tempDir("self-check-");
        try {
            const venv = path.join(root, "venv");
            fs.mkdirSync(path.join(venv, "bin"), { recursive: true });
            const calls = path.join(root, "calls");
            const tool = (out: string) =>
                `echo "$(basename "$0") $* VIRTUAL_ENV=$VIRTUAL_ENV" >> '${calls}'\n${out}`;
            const bin = fakeBin({
                "ansible-playbook": tool(playbookOut),
                ansible: tool(adhocOut),
                sudo: FAKE_SUDO,
                hostname: "echo deploy",
            });
            const text = withVars(selfCheckScript(settings), {
                VENV: venv,
                LOG_DIR: path.join(root, "log"),
                LOCK_FILE: path.join(root, "deploy.lock"),
            });
            const r = runScript(text, [], { PATH: `${bin}:${process.env.PATH}` });
            const log = fs.readFileSync(path.join(root, "log", "self-check.log"), "utf8");
            return { r, calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8") : "", log };
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    }

    it("passes when every playbook parses and the variables template", () => {
        const { r, calls } = run(
            '[ "$1" = --version ] && echo "ansible [core 2.14.18]"; echo "playbook: ok"',
            '[ "$1" = --version ] && echo "ansible [core 2.14.18]"; echo \'aio | SUCCESS => {}\'',
        );
        assert.equal(r.status, 0, r.stderr);
        assert.match(
            r.stdout,
            /self-check: 4 playbooks parse and kolla's variables template with ansible \[core 2\.14\.18\]/,
        );
        assert.equal((calls.match(/^ansible-playbook --syntax-check/gm) ?? []).length, 4);
        assert.match(
            calls,
            /^ansible aio .* --playbook-dir .*\/share\/kolla-ansible\/ansible -e ansible_connection=local/m,
        );
        assert.doesNotMatch(calls, /VIRTUAL_ENV=$/m, "VIRTUAL_ENV set for every call");
    });

    it("fails in seconds naming the missing module (the `ansible` bundle absent)", () => {
        const { r, log } = run(
            `echo "ERROR! couldn't resolve module/action 'sysctl'. This often indicates a misspelling, missing collection, or incorrect module path." >&2; exit 4`,
            "exit 0",
        );
        assert.equal(r.status, 1);
        assert.match(
            r.stderr,
            /self-check: kolla-host\.yml failed: couldn't resolve module\/action 'sysctl'/,
        );
        assert.match(
            r.stderr,
            /config\/releases \(deployHostPackages, kollaCollection, galaxyCollections\)/,
        );
        assert.match(log, /sysctl/);
    });

    it("fails naming the missing filter when kolla's variables do not template", () => {
        const { r } = run(
            "exit 0",
            `echo "aio | FAILED! => {\\"msg\\": \\"template error while templating string: No filter named 'ansible.utils.ipaddr'.\\"}"; exit 2`,
        );
        assert.equal(r.status, 1);
        assert.match(
            r.stderr,
            /self-check: templating kolla's variables for aio failed: No filter named 'ansible\.utils\.ipaddr'/,
        );
    });
});

describe("upstream facts: kolla-ansible 22.1.0 (2026.1) on Ubuntu 24.04", () => {
    const s26 = stackSettings("aio-2026.1");
    const packages = s26.pins.deployHostPackages;

    it("runs the cliff CLI with the action first (kolla_ansible/cli/commands.py; `-i INV deploy` is not a command there)", () => {
        // A stand-in kolla-ansible records its argv; the rendered stage script builds it through run_kolla.
        const run = (settings: typeof s26) => {
            const root = tempDir("cli-");
            const calls = path.join(root, "calls");
            const venv = path.join(root, "venv");
            fs.mkdirSync(path.join(venv, "bin"), { recursive: true });
            fs.writeFileSync(
                path.join(venv, "bin", "kolla-ansible"),
                `#!/usr/bin/env bash\necho "$*" >> ${JSON.stringify(calls)}\n`,
                { mode: 0o755 },
            );
            fs.symlinkSync("/usr/bin/python3", path.join(venv, "bin", "python3"));
            const filter = path.join(root, "filter.py");
            fs.writeFileSync(filter, "import sys\nfor l in sys.stdin: sys.stdout.write(l)\n");
            const text = withVars(stageScript(settings, "pull"), {
                VENV: venv,
                LOG_DIR: path.join(root, "log"),
                INVENTORY: "/etc/kolla/inventory",
                PASSWORDS: path.join(root, "passwords.yml"),
                LOCK_FILE: path.join(root, "deploy.lock"),
                PROGRESS_FILTER: filter,
                DEPLOYED_MARKER: path.join(root, "deployed-release"),
            });
            const r = runScript(text, ["create"], {});
            assert.equal(r.status, 0, r.stderr);
            return fs.readFileSync(calls, "utf8").trim();
        };
        assert.equal(run(s26), "pull -i /etc/kolla/inventory");
        // The bash CLI of 2023.1 (tools/kolla-ansible): options first; getopt also takes them after the action.
        assert.equal(run(stackSettings("aio")), "-i /etc/kolla/inventory pull");
    });

    it("installs ansible-core inside kolla's range and no `ansible` bundle (requirements.txt: ansible-core>=2.19,!=2.19.0,<2.21)", () => {
        const core = packages.find((p) => p.startsWith("ansible-core=="));
        assert.ok(core, "an exact ansible-core");
        const [major, minor, patch] = core.slice("ansible-core==".length).split(".").map(Number);
        assert.ok(major === 2 && (minor === 19 || minor === 20), core);
        assert.ok(!(minor === 19 && patch === 0), "2.19.0 is excluded");
        assert.ok(
            !packages.some((p) => /^ansible[=<>]/.test(p)),
            "22.1.0 takes its collections from Galaxy",
        );
        assert.ok(packages.includes("kolla-ansible==22.1.0"), "the 2026.1 release");
    });

    it("installs the collection from tag 9.1.0 and the seven Galaxy collections of requirements-core.yml at exact versions inside its caps", () => {
        // requirements-core.yml at 22.1.0.
        const caps: Record<string, number> = {
            "ansible.netcommon": 9,
            "ansible.posix": 3,
            "ansible.utils": 7,
            "community.crypto": 4,
            "community.general": 12,
            "community.docker": 5,
            "containers.podman": 2,
        };
        const file = collectionsFile(s26);
        // requirements.yml names the moving branch stable/2026.1; tag 9.1.0 is its head at the release.
        assert.match(
            file,
            /^ {2}- name: https:\/\/opendev\.org\/openstack\/ansible-collection-kolla\n {4}type: git\n {4}version: 9\.1\.0\n/m,
        );
        assert.doesNotMatch(file, /stable\//);
        const galaxy = s26.pins.galaxyCollections;
        assert.deepEqual(galaxy.map((c) => c.name).sort(), Object.keys(caps).sort());
        for (const c of galaxy) {
            assert.match(c.version, /^\d+\.\d+\.\d+$/, `${c.name}: an exact version`);
            assert.ok(
                Number(c.version.split(".")[0]) < caps[c.name],
                `${c.name} ${c.version} < ${caps[c.name]}`,
            );
            assert.ok(
                file.includes(
                    `  - name: ${c.name}\n    source: https://galaxy.ansible.com\n    version: ${c.version}\n`,
                ),
                c.name,
            );
        }
        assert.doesNotMatch(code(deployPrepareScript(s26)), /install-deps/);
    });

    it("builds the venv on noble's Python with pip only inside it (setup.cfg python_requires>=3.11; PEP 668)", () => {
        assert.deepEqual(s26.pins.hostOs, ["noble"]);
        const apt = s26.pins.deployHostAptPackages;
        // quickstart.rst at 22.1.0: libdbus-glib-1-dev was added for noble; python3-venv for the venv.
        for (const p of [
            "git",
            "python3-dev",
            "libffi-dev",
            "gcc",
            "libssl-dev",
            "libdbus-glib-1-dev",
            "python3-venv",
        ])
            assert.ok(apt.includes(p), p);
        assert.ok(!apt.includes("python3-pip"), "pip comes with the venv");
        const text = code(deployPrepareScript(s26));
        for (const line of text.split("\n").filter((l) => /\bpip3? install\b/.test(l)))
            assert.doesNotMatch(line, /sudo|python3 -m pip|--break-system-packages/, line);
        assert.match(
            text,
            /export VIRTUAL_ENV="\$VENV" PATH="\$VENV\/bin:\$PATH" ANSIBLE_COLLECTIONS_PATH="[^"]+"\n\s*timeout 1200 pip install/,
        );
        assert.match(deployPrepareScript(s26).text, /readonly VENV='\/opt\/venv\/2026\.1'/);
        // openstack/requirements stable/2026.1 by commit: no tag exists for a maintained series.
        assert.equal(
            s26.pins.upperConstraints,
            "https://opendev.org/openstack/requirements/raw/commit/0190a07f0add94372d529cbddae77bdc22f3c96c/upper-constraints.txt",
        );
    });

    it("mirrors the 2026.1-ubuntu-noble images: ProxySQL instead of clustercheck, valkey with Octavia's jobboard", () => {
        // group_vars/all/common.yml openstack_tag; proxysql.yml enable_proxysql "{{ enable_mariadb }}"; octavia.yml
        // enable_octavia_jobboard; roles/octavia/tasks/precheck.yml asserts enable_valkey.
        const names = (o: Record<string, unknown> = {}) =>
            kollaImages(stackSettings("aio-2026.1", o)).map((i) => i.name);
        const all = kollaImages(s26);
        assert.ok(all.every((i) => i.tag === "2026.1-ubuntu-noble"));
        assert.ok(names().includes("proxysql"));
        assert.ok(!names().includes("mariadb-clustercheck"));
        assert.ok(names().includes("valkey-server") && names().includes("valkey-sentinel"));
        assert.ok(!names({ octaviaJobboard: false }).some((n) => n.startsWith("valkey")));
        assert.ok(
            !names({ enableOctavia: false }).some(
                (n) => n.startsWith("valkey") || n.startsWith("octavia"),
            ),
        );
        const g = globalsValues(s26);
        assert.equal(g.enable_valkey, true);
        assert.equal(g.enable_octavia_jobboard, undefined, "on by default");
        const off = globalsValues(stackSettings("aio-2026.1", { octaviaJobboard: false }));
        assert.equal(off.enable_octavia_jobboard, false);
        assert.equal(off.enable_valkey, undefined);
        // 2023.1 has no jobboard: nothing of it is written there.
        const old = globalsValues(stackSettings("aio"));
        for (const k of ["enable_valkey", "enable_redis", "enable_octavia_jobboard"])
            assert.equal(old[k], undefined, k);
    });

    it("writes none of the globals 2026.1 removed, and pulls from the local registry (its new precheck refuses quay.io/openstack.kolla)", () => {
        const g = globalsValues(s26);
        for (const k of [
            "om_enable_rabbitmq_quorum_queues",
            "om_enable_rabbitmq_high_availability",
            "enable_redis",
            "distro_python_version",
        ])
            assert.equal(g[k], undefined, k);
        assert.equal(g.docker_registry, "10.10.10.50:5000");
        assert.equal(g.openstack_release, "2026.1");
    });

    it("keeps hosts off the 2026.1 inventory's group names (kolla_toolbox, kolla_logs, valkey, nova-metadata, ...)", () => {
        const groups = s26.pins.inventoryGroups;
        for (const g of [
            "kolla_toolbox",
            "kolla_logs",
            "valkey",
            "nova-metadata",
            "neutron-rpc-server",
            "neutron-periodic-worker",
        ])
            assert.ok(groups.includes(g), g);
        for (const g of ["kolla-toolbox", "kolla-logs", "swift", "zun", "monasca"])
            assert.ok(!groups.includes(g), g);
        assert.equal(groups.length, 177);
        const hosts = stackValues("aio-2026.1").hosts as Record<string, unknown>[];
        assert.throws(
            () => stackSettings("aio-2026.1", { hosts: [{ ...hosts[0], name: "kolla_toolbox" }] }),
            /hosts\[0\]\.name: .*("kolla_toolbox" is not a host name|also the name of a group)/,
        );
        assert.throws(
            () => stackSettings("aio-2026.1", { hosts: [{ ...hosts[0], name: "valkey" }] }),
            /hosts\[0\]\.name: "valkey" is also the name of a group in kolla's inventory/,
        );
    });

    it("builds the amphora with octavia 18.0.0's diskimage-create on noble, the elements pinned off master", () => {
        const a = amphoraBuildScript(s26).text;
        assert.match(a, /readonly OCTAVIA_REF='18\.0\.0'/);
        // At 18.0.0 the elements' repositories have no ref (master): the agent from stable/2026.1, octavia-lib 3.11.0.
        assert.match(a, /readonly AMPHORA_AGENT_COMMIT='0fcbbac527e528ad454b4a9d56980f1bc925b2f8'/);
        assert.match(a, /readonly OCTAVIA_LIB_COMMIT='f0ef6d08240723de5c81e67dc6d933f59c20494a'/);
        // upper-constraints at that commit pins diskimage-builder===3.40.2 and octavia-lib===3.11.0.
        assert.match(
            a,
            /readonly UPPER_CONSTRAINTS='https:\/\/opendev\.org\/openstack\/requirements\/raw\/commit\/0190a07f0add94372d529cbddae77bdc22f3c96c\/upper-constraints\.txt'/,
        );
        assert.match(a, /readonly UBUNTU_RELEASE='noble'/);
        assert.match(a, /readonly DIB_VENV='\/opt\/openstack-aio\/dib-venv-2026\.1'/);
    });
});
