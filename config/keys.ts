// Every configuration key the program reads, with its kind and default. config/schema.ts applies these defaults;
// Pulumi.yaml declares the scalar and array keys with the same defaults (a test keeps the two in step); object keys
// cannot be declared there (Pulumi.yaml has no object type) and are read with requireObject/getObject and validated
// by the schema, which holds their fields' defaults.

export type KeyKind = "string" | "integer" | "boolean" | "array" | "object";

export interface KeySpec {
    kind: KeyKind;
    default?: unknown;
    required?: boolean;
    secret?: boolean;
    description: string;
}

export const PROJECT = "openstack-aio";

export const KEYS = {
    release: {
        kind: "string",
        required: true,
        description:
            "OpenStack release deployed by kolla-ansible: 2026.1 for a new cloud; 2023.1, 2024.1, 2025.1 for a cloud on its way there (one SLURP hop at a time).",
    },
    hostOs: {
        kind: "string",
        description:
            "The Ubuntu release every host runs, by codename (jammy, noble); default: the release's first (jammy on 2023.1 and 2024.1, noble from 2025.1). On 2024.1 set it to noble once every host runs Ubuntu 24.04.",
    },
    baseDistro: {
        kind: "string",
        default: "ubuntu",
        description: "kolla_base_distro of the container images (supported: ubuntu).",
    },
    vip: {
        kind: "string",
        required: true,
        description: "kolla_internal_vip_address: an unused address in networks.api.cidr.",
    },
    deployHost: {
        kind: "object",
        required: true,
        description:
            "The deploy host: {address, name? (default deploy), sshUser?, sshPort?, managementAddress?, dockerSshKeyPath?, hostKey?}.",
    },
    hosts: {
        kind: "object",
        required: true,
        description:
            "Target hosts: [{name, address, apiAddress?, roles: [control|network|compute|monitoring|storage], interfaces: {management, api?, external, tunnel?}, sshUser?, sshPort?, hostKey?}].",
    },
    networks: {
        kind: "object",
        required: true,
        description:
            "Networks: {management: {cidr}, api: {cidr}, external: {cidr, gateway, poolStart, poolEnd, ...}, tenant: {cidr, gateway?, dnsServers?, ...}}.",
    },
    extraGlobals: {
        kind: "object",
        default: {},
        description:
            "Extra globals.yml keys merged last; keys the typed settings own are rejected.",
    },
    sshUser: {
        kind: "string",
        default: "ubuntu",
        description:
            "Default SSH user for the deploy host and targets (per-host sshUser overrides).",
    },
    sshPort: {
        kind: "integer",
        default: 22,
        description: "Default SSH port for the deploy host and targets.",
    },
    sshPrivateKey: {
        kind: "string",
        required: true,
        secret: true,
        description:
            "Private key Pulumi uses to reach every host. Set with `pulumi config set --secret sshPrivateKey < key`.",
    },
    registryPort: {
        kind: "integer",
        default: 5000,
        description: "Port of the local registry on the deploy host.",
    },
    registryMode: {
        kind: "string",
        default: "mirror",
        description:
            "mirror: copy each kolla image into the registry; pull-through: the registry proxies the source registry.",
    },
    registrySource: {
        kind: "string",
        default: "quay.io",
        description: "Registry the kolla images come from.",
    },
    dockerNamespace: {
        kind: "string",
        default: "openstack.kolla",
        description: "docker_namespace of the kolla images.",
    },
    mirrorNextRelease: {
        kind: "boolean",
        default: false,
        description:
            "Also mirror the next SLURP release's images and its hop's own (RabbitMQ's version steps), ahead of the release change, so the hop's pull does not wait on the source registry.",
    },
    enableOctavia: {
        kind: "boolean",
        default: false,
        description: "Deploy Octavia (load balancers) and its amphora image.",
    },
    octaviaJobboard: {
        kind: "boolean",
        default: true,
        description:
            "Octavia's jobboard (from 2024.1, on by default there): its key-value store (valkey; redis on 2024.1) is deployed and mirrored with Octavia. false sets enable_octavia_jobboard: false. No effect on 2023.1, which has none.",
    },
    enableHeat: { kind: "boolean", default: true, description: "Deploy Heat (orchestration)." },
    enableHorizon: { kind: "boolean", default: true, description: "Deploy Horizon (dashboard)." },
    octaviaNetworkType: {
        kind: "string",
        default: "tenant",
        description:
            "octavia_network_type: tenant (lb-mgmt-net inside neutron, as the seed) or provider.",
    },
    novaVirtType: {
        kind: "string",
        default: "kvm",
        description:
            "nova_compute_virt_type: kvm, or qemu inside VMs without nested virtualisation.",
    },
    enableTls: {
        kind: "boolean",
        default: false,
        description:
            "Serve the APIs over TLS (kolla_enable_tls_internal/external with kolla's self-signed certificates).",
    },
    region: { kind: "string", default: "RegionOne", description: "openstack_region_name." },
    keypairName: {
        kind: "string",
        default: "mykey",
        description: "Name of the Nova keypair created from keypairPublicKey.",
    },
    keypairPublicKey: {
        kind: "string",
        description:
            "OpenSSH public key for the Nova keypair (init-runonce's mykey). Required when smokeTest is on.",
    },
    cirrosVersion: {
        kind: "string",
        default: "0.6.1",
        description: "cirros release uploaded as image `cirros`.",
    },
    cirrosUrl: {
        kind: "string",
        description:
            "Override the cirros download URL (default: the cirros GitHub release of cirrosVersion).",
    },
    imageWebDownload: {
        kind: "boolean",
        default: true,
        description:
            "Let Glance fetch image URLs itself (web-download import) instead of streaming them through the Pulumi machine.",
    },
    amphoraSource: {
        kind: "string",
        default: "build",
        description: "build: diskimage-create on the deploy host; url: take amphoraImageUrl.",
    },
    amphoraImageUrl: {
        kind: "string",
        description: "https URL of a prebuilt amphora qcow2 (with amphoraSource=url).",
    },
    amphoraImageSha256: {
        kind: "string",
        description:
            "sha256 of the prebuilt amphora at amphoraImageUrl (with amphoraSource=url): the deploy host keeps the download only if it matches.",
    },
    smokeTest: {
        kind: "boolean",
        default: false,
        description:
            "Boot cirros instance demo1 on the tenant network with a floating IP (the seed's verification step).",
    },
    allowDestroy: {
        kind: "boolean",
        default: false,
        description:
            "Install the teardown command (/opt/openstack-aio/kolla-teardown.sh) on the deploy host; `pulumi destroy` itself never runs `kolla-ansible destroy`.",
    },
    forceRemoveHosts: {
        kind: "array",
        default: [],
        description:
            "Hosts removed from `hosts` whose removal goes on when instances could not be live-migrated off them or the host cannot be reached to stop its containers.",
    },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof KEYS;

/** Whether `key` is one of KEYS' own keys (not one it inherits, such as toString). */
export function isConfigKey(key: string): key is ConfigKey {
    return Object.hasOwn(KEYS, key);
}

/** A key's spec, every field of KeySpec readable. */
export function keySpec(key: ConfigKey): KeySpec {
    return KEYS[key];
}

/** `openstack-aio:networks.external.gateway` style name for messages. */
export function qualified(path: string): string {
    return `${PROJECT}:${path}`;
}
