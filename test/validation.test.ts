// The facts the validation rests on, checked against the real tools installed here and the fixtures carried from
// kolla-ansible 16.7.0.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { globalsValues } from "../render/globals";
import { renderInventory } from "../render/inventory";
import {
    ANSIBLE_MAGIC_VARIABLES,
    OWNED_GLOBAL_SETTINGS,
    refusedGlobal,
} from "../config/globalsKeys";
import { RELEASES } from "../config/releases";
import { KEYS } from "../config/keys";
import { hostNameProblem, parseSettings, Settings, SettingsError } from "../config/settings";
import { stackSettings, stackValues } from "../tools/evaluate/stack";
import { python } from "./support/ansiblePython";

const known = (file: string) =>
    fs
        .readFileSync(path.join(__dirname, "fixtures", file), "utf8")
        .split("\n")
        .filter(Boolean);
// Every variable name of kolla-ansible 16.7.0 (2023.1) and 22.1.0 (2026.1): group_vars and roles' defaults.
const KNOWN = known("kolla-16.7.0-known-variables.txt");
const KNOWN_2026_1 = known("kolla-22.1.0-known-variables.txt");
const SHIPPED = fs.readFileSync(path.join(__dirname, "fixtures/multinode-shipped.ini"), "utf8");

describe("validation: the facts behind it", () => {
    it("Ansible's INI parser reads the values the validation lets through as strings, and the refused ones not", () => {
        // ansible-core's own _parse_value on each candidate: what a host var would become.
        const code =
            "import json, sys\nfrom ansible.plugins.inventory.ini import InventoryModule\n" +
            "print(json.dumps([type(InventoryModule._parse_value(v)).__name__ for v in sys.argv[1:]]))";
        const out = python(
            code,
            "eth1",
            "e1000",
            "_svc",
            "bond0.10",
            "1234",
            "True",
            "None",
            "0x10",
            "007",
        );
        assert.deepEqual(JSON.parse(out), [
            "str",
            "str",
            "str",
            "str",
            "int",
            "bool",
            "NoneType",
            "int",
            "str",
        ]);
    });

    it("Ansible sets every variable the extraGlobals check calls magic", () => {
        const dir = path.dirname(python("import ansible; print(ansible.__file__)").trim());
        const sources = ["vars/manager.py", "inventory/host.py", "inventory/data.py"]
            .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
            .join("\n");
        for (const name of ANSIBLE_MAGIC_VARIABLES) {
            assert.match(
                sources,
                new RegExp(`\\[['"]${name}['"]\\]|set_variable\\([^)]*['"]${name}['"]`),
                `${name} is not set by ansible-core`,
            );
            assert.ok(refusedGlobal(name), name);
        }
    });

    it("Ansible's implicit localhost names are refused as targets", () => {
        const names = JSON.parse(
            python(
                "import json; from ansible import constants as C; print(json.dumps(list(C.LOCALHOST)))",
            ),
        ) as string[];
        for (const name of names.filter((n) => !n.includes(":"))) {
            const values = stackValues("aio");
            (values.hosts as { name: string }[])[0].name = name;
            assert.throws(
                () => parseSettings(values),
                (e: Error) =>
                    e instanceof SettingsError &&
                    /openstack-aio:hosts\[0\]\.name: /.test(e.message),
                name,
            );
        }
    });

    it("refuses host names equal to every group of kolla's inventory (the shipped fixture's groups among them)", () => {
        const shipped = [...SHIPPED.matchAll(/^\[([^\]:]+)(?::children)?\]/gm)].map((m) => m[1]);
        const groups = RELEASES["2023.1"].inventoryGroups;
        for (const g of shipped) assert.ok(groups.includes(g), g);
        assert.equal(groups.length, 222);
        for (const g of ["nova", "mariadb", "ovn-nb-db"]) {
            const values = stackValues("aio");
            (values.hosts as { name: string }[])[0].name = g;
            assert.throws(
                () => parseSettings(values),
                (e: Error) => /a group in kolla's inventory/.test(e.message),
                g,
            );
        }
    });

    it("RFC 1123 lengths: 63 a label and 253 in all", () => {
        const label = "a".repeat(63);
        assert.equal(hostNameProblem(`${label}.${label}.${label}.${"b".repeat(61)}`), undefined); // 253
        assert.match(
            hostNameProblem(`${label}.${label}.${label}.${"b".repeat(62)}`)!,
            /at most 253/,
        );
        assert.match(hostNameProblem(`${"a".repeat(64)}`)!, /at most 63/);
    });

    it("every globals.yml key the typed settings write is owned, names a real setting, and is a kolla variable", () => {
        const written = new Set<string>();
        const variants = [
            stackSettings("aio"),
            stackSettings("aio", { enableTls: true }),
            stackSettings("aio-2026.1"),
            stackSettings("aio-2026.1", { enableTls: true, octaviaJobboard: false }),
        ];
        for (const s of variants) {
            const keys = Object.keys(globalsValues(s));
            keys.forEach((k) => written.add(k));
            const releaseKnows = s.release === "2026.1" ? KNOWN_2026_1 : KNOWN;
            for (const k of keys) {
                assert.ok(
                    releaseKnows.includes(k) || k === "docker_apt_package_pin",
                    `${s.release} writes ${k}, which its kolla does not know`,
                );
            }
        }
        for (const k of written)
            assert.ok(
                k in OWNED_GLOBAL_SETTINGS,
                `${k} is written from the settings but extraGlobals could override it`,
            );
        for (const [k, setting] of Object.entries(OWNED_GLOBAL_SETTINGS)) {
            // docker_apt_package_pin is ansible-collection-kolla's (2023.1-eol roles/docker/defaults/main.yml);
            // enable_redis is 2024.1's (unmaintained/2024.1 ansible/group_vars/all.yml), gone in 22.1.0.
            assert.ok(
                KNOWN.includes(k) ||
                    KNOWN_2026_1.includes(k) ||
                    ["docker_apt_package_pin", "enable_redis"].includes(k),
                `${k} is not a kolla-ansible 16.7.0 or 22.1.0 variable`,
            );
            const key = setting.match(/^openstack-aio:([A-Za-z]+)/)![1];
            assert.ok(key in KEYS, `${k} names ${setting}, which is no config key`);
        }
    });

    it("every image-selecting kolla variable is refused in extraGlobals", () => {
        const selecting = KNOWN.filter((k) =>
            /^enable_|_(image|tag|image_full)$|^docker_(registry|namespace|image)|^openstack_tag/.test(
                k,
            ),
        );
        assert.ok(selecting.length > 700, `${selecting.length}`);
        for (const k of selecting) assert.ok(k in OWNED_GLOBAL_SETTINGS || refusedGlobal(k), k);
        assert.equal(refusedGlobal("nova_console"), undefined);
        assert.match(refusedGlobal("enable_prometheus")!, /not support enable_prometheus/);
    });

    it("the inventory refuses to write a value that is not a plain token, even past validation", () => {
        const s = stackSettings("aio");
        const evil = (host: Record<string, unknown>): Settings => ({
            ...s,
            hosts: [{ ...s.hosts[0], ...host }],
        });
        assert.throws(
            () =>
                renderInventory(evil({ sshUser: "u ansible_connection=local" }), {
                    privateKeyFile: "/k",
                }),
            /refusing to write ansible_user/,
        );
        assert.throws(
            () => renderInventory(evil({ name: "aio[1:3]" }), { privateKeyFile: "/k" }),
            /refusing to write host name/,
        );
        assert.throws(
            () =>
                renderInventory(evil({ address: "10.0.0.1\n[deployment]" }), {
                    privateKeyFile: "/k",
                }),
            /refusing to write ansible_host/,
        );
        assert.doesNotThrow(() => renderInventory(s, { privateKeyFile: "/k" }));
    });
});
