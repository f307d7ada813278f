import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { renderGlobals } from "../render/globals";
import { SettingsError } from "../config/settings";
import { stackSettings } from "../tools/evaluate/stack";
import { asDict, Dict } from "./support/narrow";

const KNOWN = new Set(
    fs
        .readFileSync(path.join(__dirname, "fixtures/kolla-16.7.0-known-variables.txt"), "utf8")
        .split("\n")
        .filter(Boolean),
);

/** globals.yml as YAML reads it: a mapping of variables. */
const readGlobals = (text: string): Dict => asDict(YAML.parse(text) as unknown, "globals.yml");

describe("globals.yml", () => {
    const globals = readGlobals(renderGlobals(stackSettings("aio")));

    it("holds each seed value for the aio stack", () => {
        assert.equal(globals.kolla_base_distro, "ubuntu");
        assert.equal(globals.openstack_release, "2023.1");
        assert.equal(globals.kolla_internal_vip_address, "10.10.30.55");
        assert.equal(globals.network_interface, "eth1");
        assert.equal(globals.api_interface, "eth2");
        assert.equal(globals.neutron_external_interface, "eth3");
        assert.equal(globals.docker_registry, "10.10.10.50:5000");
        assert.equal(globals.docker_registry_insecure, false, "TLS from the program's own CA");
        assert.equal(globals.docker_namespace, "openstack.kolla");
        assert.equal(globals.enable_octavia, true);
        assert.equal(globals.octavia_network_type, "tenant");
        assert.ok(!("docker_registry:_insecure" in globals), "the seed guide's typo");
    });

    it("writes only real kolla-ansible 2023.1 variables", () => {
        const unknown = Object.keys(globals).filter((k) => !KNOWN.has(k));
        assert.deepEqual(unknown, []);
        const tls = readGlobals(renderGlobals(stackSettings("aio", { enableTls: true })));
        assert.deepEqual(
            Object.keys(tls).filter((k) => !KNOWN.has(k)),
            [],
        );
        assert.equal(tls.kolla_enable_tls_external, true);
    });

    it("switches services and octavia settings with the config", () => {
        const off = readGlobals(
            renderGlobals(stackSettings("aio", { enableOctavia: false, enableHeat: false })),
        );
        assert.equal(off.enable_octavia, false);
        assert.equal(off.enable_heat, false);
        assert.ok(!("octavia_network_type" in off));
    });

    it("merges extraGlobals last", () => {
        const g = readGlobals(
            renderGlobals(
                stackSettings("aio", {
                    extraGlobals: { nova_console: "novnc", openstack_logging_debug: true },
                }),
            ),
        );
        assert.equal(g.nova_console, "novnc");
        assert.deepEqual(Object.keys(g).slice(-2), ["nova_console", "openstack_logging_debug"]);
    });

    it("rejects an extraGlobals key the typed settings own, naming it", () => {
        assert.throws(
            () => stackSettings("aio", { extraGlobals: { docker_registry: "quay.io" } }),
            (e: Error) =>
                e instanceof SettingsError &&
                /openstack-aio:extraGlobals\.docker_registry: .*change the setting that owns it/.test(
                    e.message,
                ),
        );
    });

    it("keeps differing interfaces out of globals (extra vars would beat the inventory's host vars)", () => {
        const base = stackSettings("aio");
        const hosts = [
            { ...base.hosts[0], roles: ["control", "network"] },
            {
                name: "c2",
                address: "10.10.10.52",
                roles: ["compute"],
                interfaces: { management: "ens3", external: "ens5" },
            },
        ];
        const g = readGlobals(renderGlobals(stackSettings("aio", { hosts })));
        assert.ok(
            !("network_interface" in g) &&
                !("neutron_external_interface" in g) &&
                !("api_interface" in g),
        );
    });

    it("is byte-identical on re-render", () => {
        assert.equal(renderGlobals(stackSettings("aio")), renderGlobals(stackSettings("aio")));
    });
});
