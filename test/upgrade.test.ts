// render/upgrade: the guard every mutating script runs, the /etc/kolla backup, and the hop's own steps, run for real
// with bash against a kolla-ansible that records its arguments.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Settings } from "../config/settings";
import { scriptBody } from "../render/script";
import {
    Hop,
    hopFrom,
    hopImages,
    hopQueuesScript,
    hopRabbitmqScript,
    hopVerifyScript,
    nextHopImages,
    rabbitmqServices,
} from "../render/upgrade";
import { fakeBin, FAKE_SUDO, runScript, withVars } from "./support/lifecycle";
import { stackSettings } from "../tools/evaluate/stack";
import { tempDir } from "./support/tools";

const PATH_ = ["2023.1", "2024.1", "2025.1", "2026.1"];
const settingsOf = (release: string, overrides: Record<string, unknown> = {}): Settings =>
    stackSettings(["2023.1", "2024.1"].includes(release) ? "aio" : "aio-2026.1", {
        release,
        ...overrides,
    });
const hopTo = (
    release: string,
    overrides: Record<string, unknown> = {},
): { s: Settings; hop: Hop } => {
    const s = settingsOf(release, overrides);
    const hop = hopFrom(s.pins.upgrade?.from, s);
    assert.ok(hop, `a hop to ${release}`);
    return { s, hop };
};

/** A deploy host's state dir with the marker, and the variables hop scripts take pointed at it. */
function host(deployed: string | undefined) {
    const root = tempDir("hop-");
    const state = path.join(root, "state");
    fs.mkdirSync(state);
    const marker = path.join(state, "deployed-release");
    if (deployed) fs.writeFileSync(marker, `${deployed}\n`);
    const calls = path.join(root, "calls");
    const venv = (name: string) => {
        const v = path.join(root, name);
        fs.mkdirSync(path.join(v, "bin"), { recursive: true });
        fs.writeFileSync(
            path.join(v, "bin", "kolla-ansible"),
            `#!/usr/bin/env bash\necho "${name}: $*" >> ${JSON.stringify(calls)}\n`,
            { mode: 0o755 },
        );
        fs.symlinkSync("/usr/bin/python3", path.join(v, "bin", "python3"));
        return v;
    };
    const filter = path.join(root, "filter.py");
    fs.writeFileSync(filter, "import sys\nfor l in sys.stdin: sys.stdout.write(l)\n");
    const vars = (hop: Hop, extra: Record<string, string> = {}) => ({
        DEPLOYED_MARKER: marker,
        HOPS_DIR: path.join(state, "hops"),
        HOP_DIR: path.join(state, "hops", `${hop.from}-${hop.to}`),
        LOG_DIR: path.join(root, "log"),
        LOCK_FILE: path.join(state, "deploy.lock"),
        PROGRESS_FILTER: filter,
        PASSWORDS: path.join(root, "passwords.yml"),
        INVENTORY: "/etc/kolla/inventory",
        VENV: venv("new"),
        ...extra,
    });
    const recorded = () =>
        fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [];
    return { root, state, marker, vars, venv, recorded, hops: path.join(state, "hops") };
}

describe("upgrade: the guard every script that changes the cloud runs first (hop-guard.sh)", () => {
    // A script that is only the guard, then says it went on.
    const guard = (release: string, deployed: string | undefined, started?: string) => {
        const h = host(deployed);
        if (started) fs.mkdirSync(path.join(h.hops, started), { recursive: true });
        if (started) fs.writeFileSync(path.join(h.hops, started, "started"), "");
        const text = [
            "set -euo pipefail",
            `readonly RELEASE='${release}'`,
            `readonly -a UPGRADE_PATH=(${PATH_.join(" ")})`,
            `readonly DEPLOYED_MARKER='${h.marker}'`,
            `readonly HOPS_DIR='${h.hops}'`,
            scriptBody("hop-guard.sh"),
            "hop_guard",
            "echo went-on",
        ].join("\n");
        return runScript(text, [], {});
    };

    it("lets a fresh host, a re-run and one SLURP hop go on", () => {
        for (const [release, deployed] of [
            ["2026.1", undefined],
            ["2023.1", "2023.1"],
            ["2024.1", "2023.1"],
            ["2025.1", "2024.1"],
            ["2026.1", "2025.1"],
        ] as const) {
            const r = guard(release, deployed);
            assert.equal(r.status, 0, `${deployed} -> ${release}: ${r.stderr}`);
            assert.equal(r.stdout.trim(), "went-on");
        }
    });

    it("refuses a skipped hop naming the next release, a downgrade, and going back once a hop began", () => {
        let r = guard("2025.1", "2023.1");
        assert.equal(r.status, 1);
        assert.match(
            r.stderr,
            /^openstack-aio: this cloud runs 2023\.1 \(\S+deployed-release\); 2025\.1 is not its next release on kolla's SLURP path \(2023\.1 2024\.1 2025\.1 2026\.1\): set openstack-aio:release to 2024\.1 first\n$/,
        );
        assert.equal(r.stdout, "", "nothing ran");
        r = guard("2026.1", "2023.1");
        assert.match(r.stderr, /set openstack-aio:release to 2024\.1 first/);
        r = guard("2024.1", "2025.1");
        assert.equal(r.status, 1);
        assert.match(
            r.stderr,
            /runs 2025\.1 .*cannot downgrade it to 2024\.1: set openstack-aio:release back to 2025\.1 \(its next release is 2026\.1\)$/m,
        );
        r = guard("2023.1", "2023.1", "2023.1-2024.1");
        assert.equal(r.status, 1);
        assert.match(
            r.stderr,
            /upgrade of this cloud from 2023\.1 to 2024\.1 has begun .*set openstack-aio:release to 2024\.1 and run pulumi up to finish it/,
        );
        // Before the hop began changing the cloud, going back is fine.
        assert.equal(guard("2023.1", "2023.1").status, 0);
        r = guard("2026.1", "2024.2");
        assert.match(r.stderr, /runs 2024\.2 .*a release this program does not know/);
    });
});

describe("upgrade: /etc/kolla kept before the hop writes the new release's (hop-backup.sh)", () => {
    it("copies it once per hop, whole, only when this cloud runs the release the hop starts from", () => {
        const h = host("2023.1");
        const config = path.join(h.root, "etc-kolla");
        fs.mkdirSync(path.join(config, "certificates"), { recursive: true });
        fs.writeFileSync(path.join(config, "passwords.yml"), "database_password: old\n", {
            mode: 0o600,
        });
        const bin = fakeBin({ sudo: FAKE_SUDO });
        const run = (release: string, from: string) =>
            runScript(
                [
                    "set -euo pipefail",
                    `readonly RELEASE='${release}' HOP_FROM='${from}' HOPS_DIR='${h.hops}' CONFIG_DIR='${config}'`,
                    `readonly DEPLOYED_MARKER='${h.marker}'`,
                    scriptBody("hop-backup.sh"),
                    "backup_for_hop",
                ].join("\n"),
                [],
                { PATH: `${bin}:${process.env.PATH}` },
            );
        const backup = path.join(h.hops, "2023.1-2024.1", "etc-kolla");
        let r = run("2024.1", "2023.1");
        assert.equal(r.status, 0, r.stderr);
        assert.equal(
            fs.readFileSync(path.join(backup, "passwords.yml"), "utf8"),
            "database_password: old\n",
        );
        assert.equal(
            (fs.statSync(path.join(backup, "passwords.yml")).mode & 0o777).toString(8),
            "600",
        );
        assert.ok(fs.existsSync(path.join(backup, "certificates")));
        // The new release's files replace the old ones; a second run keeps the first copy.
        fs.writeFileSync(
            path.join(config, "passwords.yml"),
            "database_password: old\nnew_key: x\n",
        );
        r = run("2024.1", "2023.1");
        assert.equal(r.stdout, "");
        assert.equal(
            fs.readFileSync(path.join(backup, "passwords.yml"), "utf8"),
            "database_password: old\n",
        );
        // Not a hop (a re-run after the hop to 2025.1, or a fresh host): nothing is copied.
        fs.writeFileSync(h.marker, "2025.1\n");
        r = run("2025.1", "2024.1");
        assert.equal(r.status, 0);
        assert.ok(!fs.existsSync(path.join(h.hops, "2024.1-2025.1")));
        assert.ok(!fs.existsSync(`${backup}.partial`));
    });
});

describe("upgrade: the hop's own steps (kolla's CI upgrade jobs)", () => {
    it("a hop is only a hop from the release before: hopFrom", () => {
        const s = settingsOf("2025.1");
        assert.deepEqual(hopFrom("2024.1", s)?.from, "2024.1");
        assert.equal(hopFrom("2023.1", s), undefined);
        assert.equal(hopFrom(undefined, s), undefined);
        assert.equal(hopFrom("2025.1", s), undefined);
        assert.equal(
            settingsOf("2023.1").pins.upgrade,
            undefined,
            "2023.1 is the first release of the path",
        );
    });

    it("2023.1 → 2024.1: RabbitMQ 3.12 then 3.13 with 2023.1's own CLI on its kept configuration, once", () => {
        // kolla-ansible unmaintained/2024.1 tests/rabbitmq-version-upgrade.sh: rabbitmq-upgrade 3.12, then 3.13, on
        // 2023.1 (2023.1-eol tools/kolla-ansible: `rabbitmq-upgrade <version>`, --configdir).
        const { s, hop } = hopTo("2024.1");
        const script = hopRabbitmqScript(s, hop);
        assert.ok(script);
        const h = host("2023.1");
        const old = h.venv("old");
        const backup = path.join(h.hops, "2023.1-2024.1", "etc-kolla");
        fs.mkdirSync(backup, { recursive: true });
        fs.writeFileSync(path.join(backup, "globals.yml"), "---\n");
        const text = withVars(
            script,
            h.vars(hop, { OLD_VENV: old, BACKUP: backup, INVENTORY: `${backup}/inventory` }),
        );
        let r = runScript(text, ["create"], {});
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(h.recorded(), [
            `old: -i ${backup}/inventory rabbitmq-upgrade 3.12 --configdir ${backup}`,
            `old: -i ${backup}/inventory rabbitmq-upgrade 3.13 --configdir ${backup}`,
        ]);
        assert.ok(fs.existsSync(path.join(h.hops, "2023.1-2024.1", "started")), "a hop that began");
        r = runScript(text, ["update"], {});
        assert.equal(r.status, 0, r.stderr);
        assert.equal(h.recorded().length, 2, "each version step once");
        // On a fresh 2024.1 cloud, or once the hop is done: nothing.
        const fresh = host(undefined);
        const f = runScript(
            withVars(script, fresh.vars(hop, { OLD_VENV: fresh.venv("old"), BACKUP: backup })),
            ["create"],
            {},
        );
        assert.equal(f.status, 0, f.stderr);
        assert.match(f.stdout, /no hop from 2023\.1 under way .*nothing to do/);
        assert.deepEqual(fresh.recorded(), []);
        // No hop from 2024.1 on has version steps.
        assert.equal(
            hopRabbitmqScript(...(Object.values(hopTo("2025.1")) as [Settings, Hop])),
            undefined,
        );
    });

    it("migrates the queues inside the hop with the new CLI: 2024.1's bash order, 2025.1's cliff order with --ignore-missing and full prechecks", () => {
        // unmaintained/2024.1 tests/upgrade.sh and 20.5.0 tests/upgrade.sh (IS_SLURP): stop --tags heat,keystone,
        // neutron,nova[,octavia] --yes-i-really-really-mean-it [--ignore-missing], genconfig, rabbitmq-reset-state.
        for (const [release, expected] of [
            [
                "2024.1",
                [
                    "new: -i /etc/kolla/inventory stop --tags heat,keystone,neutron,nova,octavia --yes-i-really-really-mean-it",
                    "new: -i /etc/kolla/inventory genconfig",
                    "new: -i /etc/kolla/inventory rabbitmq-reset-state",
                ],
            ],
            [
                "2025.1",
                [
                    "new: stop -i /etc/kolla/inventory --tags heat,keystone,neutron,nova,octavia --yes-i-really-really-mean-it --ignore-missing",
                    "new: genconfig -i /etc/kolla/inventory",
                    "new: rabbitmq-reset-state -i /etc/kolla/inventory",
                    "new: prechecks -i /etc/kolla/inventory",
                ],
            ],
        ] as const) {
            const { s, hop } = hopTo(release);
            const h = host(hop.from);
            const text = withVars(hopQueuesScript(s, hop)!, h.vars(hop));
            let r = runScript(text, ["create"], {});
            assert.equal(r.status, 0, r.stderr);
            assert.deepEqual(h.recorded(), expected, release);
            r = runScript(text, ["update"], {});
            assert.match(r.stdout, /migrated for .* earlier/);
            assert.equal(h.recorded().length, expected.length, "once per hop");
        }
        assert.equal(
            hopQueuesScript(...(Object.values(hopTo("2026.1")) as [Settings, Hop])),
            undefined,
        );
        // Only the services this stack runs that use RabbitMQ.
        assert.deepEqual(
            rabbitmqServices(settingsOf("2024.1", { enableHeat: false, enableOctavia: false })),
            ["keystone", "neutron", "nova"],
        );
    });

    it("checks the cloud after the upgrade as kolla's CI does, only once the deploy stage recorded the upgrade", () => {
        for (const [release, expected] of [
            [
                "2024.1",
                [
                    "new: -i /etc/kolla/inventory prechecks --tags rabbitmq-ha-precheck",
                    "new: -i /etc/kolla/inventory validate-config",
                ],
            ],
            ["2025.1", ["new: validate-config -i /etc/kolla/inventory"]],
            ["2026.1", ["new: validate-config -i /etc/kolla/inventory"]],
        ] as const) {
            const { s, hop } = hopTo(release);
            const h = host(release);
            const text = withVars(hopVerifyScript(s, hop), h.vars(hop));
            let r = runScript(text, ["create"], {});
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /no upgrade from .* to check: nothing to do/);
            fs.mkdirSync(path.join(h.hops, `${hop.from}-${hop.to}`), { recursive: true });
            fs.writeFileSync(path.join(h.hops, `${hop.from}-${hop.to}`, "upgraded"), "");
            r = runScript(text, ["update"], {});
            assert.equal(r.status, 0, r.stderr);
            assert.deepEqual(h.recorded(), expected, release);
            runScript(text, ["update"], {});
            assert.equal(h.recorded().length, expected.length, "once per hop");
        }
    });

    it("every hop step refuses a skipped hop first, and none reads to host-sim as the upgrade stage", () => {
        const { s, hop } = hopTo("2024.1");
        for (const script of [
            hopRabbitmqScript(s, hop)!,
            hopQueuesScript(s, hop)!,
            hopVerifyScript(s, hop),
        ]) {
            assert.match(script.text, /\nhop_guard\n/, script.name);
            // host-sim runs the first kolla-*.sh with such a line in deploy's place (its lib/inside.sh upgrade_script).
            for (const line of script.text.split("\n").filter((l) => !/^\s*#/.test(l)))
                assert.doesNotMatch(
                    line,
                    /kolla-ansible[^#]*[\s"']upgrade([\s"']|$)/,
                    `${script.name}: ${line}`,
                );
        }
    });

    it("ahead of a hop, mirrors the next release's images and the hop's own (mirrorNextRelease)", () => {
        const next = nextHopImages(settingsOf("2023.1"));
        assert.equal(
            next.filter((i) => i.tag === "2024.1-ubuntu-jammy").length,
            38,
            "2024.1's images, with redis",
        );
        assert.deepEqual(
            next.filter((i) => i.tag === "2023.1-ubuntu-jammy").map((i) => i.name),
            ["rabbitmq-3-12", "rabbitmq-3-13"],
        );
        assert.ok(
            nextHopImages(settingsOf("2025.1")).every((i) => i.tag === "2026.1-ubuntu-noble"),
        );
        assert.ok(nextHopImages(settingsOf("2025.1")).some((i) => i.name === "valkey-server"));
        assert.deepEqual(nextHopImages(settingsOf("2026.1")), [], "the last release of the path");
    });

    it("mirrors RabbitMQ's step images at the old release's tag before the hop (only 2023.1 ships them)", () => {
        const { s, hop } = hopTo("2024.1");
        assert.deepEqual(
            hopImages(s, hop).map((i) => i.source),
            [
                "quay.io/openstack.kolla/rabbitmq-3-12:2023.1-ubuntu-jammy",
                "quay.io/openstack.kolla/rabbitmq-3-13:2023.1-ubuntu-jammy",
            ],
        );
        assert.deepEqual(hopImages(...(Object.values(hopTo("2026.1")) as [Settings, Hop])), []);
    });
});
