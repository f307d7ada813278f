// Facts about kolla-ansible 2023.1, its collection, Octavia and Docker that the first real deployment proved the hard
// way, carried into assertions on what lands on the hosts. Each names where the fact comes from; the upstream trees
// themselves are not read here (a user's clone has none).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { hostScripts } from "../render/hostFiles";
import { AMPHORA_HOST_PACKAGES, amphoraBuildScript, imageServerScript } from "../render/amphora";
import { REGISTRY_IMAGE, SKOPEO_IMAGE } from "../render/images";
import { runIndex } from "./support/harness";
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
import { stackRunOptions, stackSettings } from "./support/stack";
import { tempDir } from "./support/tools";

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
                pulled.map((r) => r.inputs.name).sort(),
                [REGISTRY_IMAGE, SKOPEO_IMAGE].sort(),
                stack,
            );
            for (const r of pulled) {
                // Docker resolves name:tag@digest by the digest alone (moby v24.0.7 reference/store.go Get); a
                // containers/image_build "-immutable" tag is never overwritten once pushed (its README).
                assert.match(
                    r.inputs.name,
                    /(@sha256:[0-9a-f]{64}|:v\d+\.\d+\.\d+-immutable)$/,
                    r.name,
                );
            }
            const ids = new Set(pulled.map((r) => `${r.name}-id`));
            for (const c of g.ofType("docker:index/container:Container"))
                assert.ok(
                    ids.has(c.inputs.image) || c.inputs.image.startsWith("sha256:"),
                    `${c.name} runs ${c.inputs.image}`,
                );
        }
        // The amphora is served by Ubuntu's python3, not by a container (render/scripts/image-server.sh).
        assert.match(
            imageServerScript(stackSettings("aio"), "by-sha256/x/a.qcow2", "x").text,
            /\/usr\/bin\/python3 -m http\.server/,
        );
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
        assert.match(r.stderr, /config\/releases\.ts \(deployHostPackages, kollaCollection\)/);
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
