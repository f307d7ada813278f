// config/kollaVariables.ts: each release's list of the variables kolla-ansible reads, and the nearest known name.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { closestVariable, kollaVariables } from "../config/kollaVariables";
import { SUPPORTED_RELEASES } from "../config/releases";

const LISTS = path.join(__dirname, "..", "config", "kolla-variables");
const FIXTURE = fs
    .readFileSync(path.join(__dirname, "fixtures/kolla-16.7.0-known-variables.txt"), "utf8")
    .split("\n")
    .filter(Boolean);

describe("kollaVariables: the variables each release's kolla-ansible reads", () => {
    it("has a list for every supported release and the next ones, each naming its sources on its first line", () => {
        for (const release of [...SUPPORTED_RELEASES, "2024.1", "2025.1", "2026.1"]) {
            const text = fs.readFileSync(path.join(LISTS, `${release}.txt`), "utf8");
            assert.match(text.split("\n")[0], /^# kolla-ansible \S+.*ansible-collection-kolla/);
            assert.ok(kollaVariables(release).size > 3000, release);
        }
    });

    it("2023.1 is kolla-ansible 16.7.0's variables plus the documented and the collection's", () => {
        const known = kollaVariables("2023.1");
        for (const v of FIXTURE) assert.ok(known.has(v), v);
        // etc/kolla/globals.yml documents it, no role defaults it (octavia.conf.j2: `is defined`).
        assert.ok(known.has("octavia_amp_flavor_id"));
        // ansible-collection-kolla roles/docker/defaults/main.yml, run by bootstrap-servers.
        assert.ok(known.has("docker_custom_config"));
        // Added in 2024.1 (kolla-ansible roles/loadbalancer/defaults): not a 2023.1 variable.
        assert.ok(!known.has("haproxy_enable_http2"));
        assert.ok(kollaVariables("2026.1").has("haproxy_enable_http2"));
        assert.ok(!known.has("# kolla-ansible 16.7.0"), "the header is no variable");
    });

    it("knows nothing for a release without a list, and never reads a path", () => {
        assert.equal(kollaVariables("zed").size, 0);
        assert.equal(kollaVariables("../kolla-variables/2023.1").size, 0);
    });

    it("names the nearest known variable for a typo, and none for a name far from all", () => {
        const known = kollaVariables("2023.1");
        assert.equal(closestVariable("nova_compute_virt_typ", known), "nova_compute_virt_type");
        assert.equal(closestVariable("nova_consle", known), "nova_console");
        assert.equal(closestVariable("openstack_loging_debug", known), "openstack_logging_debug");
        assert.equal(closestVariable("completely_unrelated_words_here", known), undefined);
        assert.equal(closestVariable("anything", new Set()), undefined);
    });
});
