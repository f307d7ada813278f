import { strict as assert } from "assert";
import { kollaImages } from "../render/images";
import { stackSettings } from "../tools/evaluate/stack";

const AIO_IMAGES = [
    "cron",
    "fluentd",
    "glance-api",
    "haproxy",
    "heat-api",
    "heat-api-cfn",
    "heat-engine",
    "horizon",
    "keepalived",
    "keystone",
    "keystone-fernet",
    "keystone-ssh",
    "kolla-toolbox",
    "mariadb-clustercheck",
    "mariadb-server",
    "memcached",
    "neutron-dhcp-agent",
    "neutron-l3-agent",
    "neutron-metadata-agent",
    "neutron-openvswitch-agent",
    "neutron-server",
    "nova-api",
    "nova-compute",
    "nova-conductor",
    "nova-libvirt",
    "nova-novncproxy",
    "nova-scheduler",
    "nova-ssh",
    "octavia-api",
    "octavia-health-manager",
    "octavia-housekeeping",
    "octavia-worker",
    "openvswitch-db-server",
    "openvswitch-vswitchd",
    "placement-api",
    "rabbitmq",
];

describe("kollaImages: the images the enabled services run", () => {
    it("is exactly the seed's list without `base` for the aio stack (36 images)", () => {
        const images = kollaImages(stackSettings("aio"));
        assert.deepEqual(
            images.map((i) => i.name),
            AIO_IMAGES,
        );
        assert.ok(!images.some((i) => i.name === "base"));
    });

    it("names quay.io sources and the local registry targets with the release tag", () => {
        const nova = kollaImages(stackSettings("aio")).find((i) => i.name === "nova-api")!;
        assert.deepEqual(nova, {
            name: "nova-api",
            tag: "2023.1-ubuntu-jammy",
            source: "quay.io/openstack.kolla/nova-api:2023.1-ubuntu-jammy",
            path: "openstack.kolla/nova-api:2023.1-ubuntu-jammy",
            target: "10.10.10.50:5000/openstack.kolla/nova-api:2023.1-ubuntu-jammy",
        });
    });

    for (const [flag, removed] of [
        ["enableHeat", ["heat-api", "heat-api-cfn", "heat-engine"]],
        ["enableHorizon", ["horizon"]],
        [
            "enableOctavia",
            ["octavia-api", "octavia-health-manager", "octavia-housekeeping", "octavia-worker"],
        ],
    ] as const) {
        it(`switching ${flag} off removes exactly its images`, () => {
            const names = kollaImages(stackSettings("aio", { [flag]: false })).map((i) => i.name);
            assert.deepEqual(
                names,
                AIO_IMAGES.filter((n) => !(removed as readonly string[]).includes(n)),
            );
        });
    }

    it("follows the registry port and namespace settings", () => {
        const img = kollaImages(
            stackSettings("aio", { registryPort: 5001, dockerNamespace: "kolla" }),
        )[0];
        assert.equal(img.target, "10.10.10.50:5001/kolla/cron:2023.1-ubuntu-jammy");
    });
});
