// Stage 8: the cloud's first resources (kolla's init-runonce and the seed's amphora upload, declaratively).
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { Settings } from "../../config/settings";
import { AmphoraBuild } from "../amphora";
import { CloudAccess } from "../types";

/** init-runonce's flavors (kolla-ansible 2023.1): id, vCPUs, RAM MB, disk GB. */
export const INIT_RUNONCE_FLAVORS: readonly { name: string; id: string; vcpus: number; ram: number; disk: number }[] = [
    { name: "m1.tiny", id: "1", vcpus: 1, ram: 512, disk: 1 },
    { name: "m1.small", id: "2", vcpus: 1, ram: 2048, disk: 20 },
    { name: "m1.medium", id: "3", vcpus: 2, ram: 4096, disk: 40 },
    { name: "m1.large", id: "4", vcpus: 4, ram: 8192, disk: 80 },
    { name: "m1.xlarge", id: "5", vcpus: 8, ram: 16384, disk: 160 },
];

/** Ingress rules init-runonce adds to the admin project's default security group (8000: heat-cfn). */
export const INIT_RUNONCE_RULES: readonly { name: string; protocol: string; port?: number }[] = [
    { name: "icmp", protocol: "icmp" },
    { name: "ssh", protocol: "tcp", port: 22 },
    { name: "tcp-8000", protocol: "tcp", port: 8000 },
    { name: "tcp-8080", protocol: "tcp", port: 8080 },
];

export const INIT_RUNONCE_QUOTAS = { instances: 40, cores: 40, ram: 96000 } as const;

export function horizonUrl(settings: Settings): string {
    return `${settings.enableTls ? "https" : "http"}://${settings.vip}`;
}

interface Child { parent: pulumi.Resource; provider: openstack.Provider }

/** External network, tenant network and the router between them. */
export class CloudNetworks extends pulumi.ComponentResource {
    readonly external: openstack.networking.Network;
    readonly externalSubnet: openstack.networking.Subnet;
    readonly tenant: openstack.networking.Network;
    readonly tenantSubnet: openstack.networking.Subnet;
    readonly router: openstack.networking.Router;

    constructor(name: string, args: { settings: Settings; provider: openstack.Provider }, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:cloud:CloudNetworks", name, {}, opts);
        const { external, tenant } = args.settings.networks;
        const c: Child = { parent: this, provider: args.provider };
        this.external = new openstack.networking.Network(`${name}-external`, {
            name: external.name,
            external: true,
            // physnet1 is kolla's bridge mapping for br-ex, i.e. neutron_external_interface.
            segments: [{ networkType: "flat", physicalNetwork: external.physicalNetwork }],
        }, c);
        this.externalSubnet = new openstack.networking.Subnet(`${name}-external-subnet`, {
            name: external.subnetName,
            networkId: this.external.id,
            ipVersion: 4,
            cidr: external.cidr,
            gatewayIp: external.gateway,
            enableDhcp: false,
            allocationPools: [{ start: external.poolStart, end: external.poolEnd }],
        }, c);
        this.tenant = new openstack.networking.Network(`${name}-tenant`, { name: tenant.name }, c);
        this.tenantSubnet = new openstack.networking.Subnet(`${name}-tenant-subnet`, {
            name: tenant.subnetName,
            networkId: this.tenant.id,
            ipVersion: 4,
            cidr: tenant.cidr,
            gatewayIp: tenant.gateway,
            dnsNameservers: [...tenant.dnsServers],
        }, c);
        this.router = new openstack.networking.Router(`${name}-router`, {
            name: tenant.routerName,
            externalNetworkId: this.external.id,
        }, { ...c, dependsOn: [this.externalSubnet] });
        new openstack.networking.RouterInterface(`${name}-router-tenant`, {
            routerId: this.router.id,
            subnetId: this.tenantSubnet.id,
        }, c);
        this.registerOutputs({});
    }
}

/** Flavors, keypair, default security group rules and quotas of the admin project. */
export class CloudBasics extends pulumi.ComponentResource {
    readonly flavors: Record<string, openstack.compute.Flavor>;
    readonly keypair?: openstack.compute.Keypair;

    constructor(name: string, args: { settings: Settings; provider: openstack.Provider }, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:cloud:CloudBasics", name, {}, opts);
        const { settings } = args;
        const c: Child = { parent: this, provider: args.provider };
        this.flavors = {};
        for (const f of INIT_RUNONCE_FLAVORS) {
            this.flavors[f.name] = new openstack.compute.Flavor(`${name}-flavor-${f.name}`, {
                name: f.name, flavorId: f.id, vcpus: f.vcpus, ram: f.ram, disk: f.disk, isPublic: true,
            }, c);
        }
        if (settings.keypair.publicKey) {
            this.keypair = new openstack.compute.Keypair(`${name}-keypair`, { name: settings.keypair.name, publicKey: settings.keypair.publicKey }, c);
        }
        const invoke = { provider: args.provider, parent: this };
        const admin = openstack.identity.getProjectOutput({ name: "admin" }, invoke);
        const defaultGroup = openstack.networking.getSecGroupOutput({ name: "default", tenantId: admin.id }, invoke);
        for (const rule of INIT_RUNONCE_RULES) {
            new openstack.networking.SecGroupRule(`${name}-default-${rule.name}`, {
                securityGroupId: defaultGroup.id,
                direction: "ingress",
                ethertype: "IPv4",
                protocol: rule.protocol,
                ...(rule.port ? { portRangeMin: rule.port, portRangeMax: rule.port } : {}),
                remoteIpPrefix: "0.0.0.0/0",
            }, c);
        }
        new openstack.compute.QuotaSetV2(`${name}-admin-quotas`, {
            projectId: admin.id,
            region: settings.region,
            ...INIT_RUNONCE_QUOTAS,
        }, c);
        this.registerOutputs({});
    }
}

/** cirros, and the Octavia amphora owned by the `service` project. */
/**
 * Glance's checksum of the uploaded amphora (md5 of the bytes it stored) against the build's: a mismatch fails
 * `pulumi up`, naming both and the way out. The upload itself goes through the provider, which verifies only its
 * own download against Glance.
 */
export function verifiedUpload(image: openstack.images.Image, build: { md5: pulumi.Output<string>; sha256: pulumi.Output<string> }): pulumi.Output<boolean> {
    return pulumi.all([image.checksum, build.md5, build.sha256, image.urn]).apply(([glance, built, sha, urn]) => {
        if (glance && built && glance !== built) {
            throw new Error(`the amphora in Glance (md5 ${glance}) is not the image built on the deploy host (md5 ${built}, sha256 ${sha}): ` +
                `upload it again with \`pulumi up --replace '${urn}'\``);
        }
        return true;
    });
}

export class GlanceImages extends pulumi.ComponentResource {
    readonly cirros: openstack.images.Image;
    readonly amphora?: openstack.images.Image;
    /** True once Glance's checksum matched the build's (built amphorae only). */
    readonly amphoraVerified?: pulumi.Output<boolean>;

    constructor(name: string, args: { settings: Settings; provider: openstack.Provider; octaviaProvider?: openstack.Provider; amphora?: AmphoraBuild }, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:cloud:GlanceImages", name, {}, opts);
        const { settings } = args;
        this.cirros = new openstack.images.Image(`${name}-cirros`, {
            name: "cirros",
            imageSourceUrl: settings.cirros.url,
            // Glance fetches the URL itself, so the bytes do not stream through the machine running Pulumi.
            webDownload: settings.imageWebDownload,
            diskFormat: "qcow2",
            containerFormat: "bare",
            visibility: "public",
            properties: { os_type: "linux" },
        }, { parent: this, provider: args.provider });

        if (settings.services.octavia && args.octaviaProvider) {
            const fromBuild = settings.amphora.source === "build";
            if (fromBuild && !args.amphora) throw new Error("amphoraSource is build but no AmphoraBuild was given");
            this.amphora = new openstack.images.Image(`${name}-amphora`, {
                name: "amphora-x64-haproxy",
                imageSourceUrl: fromBuild ? args.amphora!.imageUrl : settings.amphora.url!,
                // Glance's import filter allows only ports 80/443 by default, so the deploy host's image server
                // (port 8090) is read by the provider; a public URL can go through web-download.
                webDownload: fromBuild ? false : settings.imageWebDownload,
                diskFormat: "qcow2",
                containerFormat: "bare",
                visibility: "private",
                // octavia.conf: amp_image_tag = amphora, amp_image_owner_id = the service project.
                tags: ["amphora"],
                properties: {
                    hw_architecture: "x86_64", hw_rng_model: "virtio",
                    ...(fromBuild ? { openstack_aio_sha256: args.amphora!.sha256 } : {}),
                },
            }, { parent: this, provider: args.octaviaProvider });
            if (fromBuild) this.amphoraVerified = verifiedUpload(this.amphora, args.amphora!);
        }
        this.registerOutputs({ amphoraVerified: this.amphoraVerified });
    }
}

/** The seed's verification: cirros instance demo1 on the tenant network with a floating IP. */
export class SmokeTest extends pulumi.ComponentResource {
    readonly address: pulumi.Output<string>;

    constructor(name: string, args: { settings: Settings; provider: openstack.Provider; networks: CloudNetworks; basics: CloudBasics; images: GlanceImages }, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:cloud:SmokeTest", name, {}, opts);
        const c: Child = { parent: this, provider: args.provider };
        const instance = new openstack.compute.Instance(`${name}-demo1`, {
            name: "demo1",
            imageId: args.images.cirros.id,
            flavorId: args.basics.flavors["m1.tiny"].id,
            keyPair: args.basics.keypair!.name,
            networks: [{ uuid: args.networks.tenant.id }],
        }, { ...c, dependsOn: [args.networks.tenantSubnet] });
        const fip = new openstack.networking.FloatingIp(`${name}-demo1-fip`, { pool: args.networks.external.name }, { ...c, dependsOn: [args.networks.externalSubnet] });
        // The tenant subnet must be on the router before a floating IP can reach the instance.
        const assoc = new openstack.compute.FloatingIpAssociate(`${name}-demo1-fip-associate`, {
            floatingIp: fip.address,
            instanceId: instance.id,
        }, { ...c, dependsOn: [args.networks] });
        this.address = assoc.floatingIp;
        this.registerOutputs({ address: this.address });
    }
}

export interface CloudArgs {
    settings: Settings;
    access: CloudAccess;
    amphora?: AmphoraBuild;
}

export class Cloud extends pulumi.ComponentResource {
    readonly provider: openstack.Provider;
    readonly octaviaProvider?: openstack.Provider;
    readonly authUrl: pulumi.Output<string>;
    readonly horizonUrl: string;
    readonly region: pulumi.Output<string>;
    readonly externalNetworkId: pulumi.Output<string>;
    readonly externalSubnetId: pulumi.Output<string>;
    readonly tenantNetworkId: pulumi.Output<string>;
    readonly tenantSubnetId: pulumi.Output<string>;
    readonly routerId: pulumi.Output<string>;
    readonly cirrosImageId: pulumi.Output<string>;
    readonly amphoraImageId: pulumi.Output<string | undefined>;
    readonly flavorIds: pulumi.Output<Record<string, string>>;
    readonly keypairName: pulumi.Output<string | undefined>;
    readonly smokeTestAddress: pulumi.Output<string | undefined>;
    readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: CloudArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:cloud:Cloud", name, {}, opts);
        const { settings, access } = args;
        // Every arg comes from the deployment's outputs (derived from post-deploy): the provider configures itself
        // only once the cloud exists. Nothing is read from clouds.yaml or OS_* on the machine running Pulumi.
        const auth = {
            authUrl: access.authUrl,
            region: access.region,
            userDomainName: access.adminDomain,
            projectDomainName: access.adminDomain,
            // terraform-provider-openstack reads cacert_file as a path or the PEM itself (pathorcontents.Read):
            // kolla's own CA, so TLS is verified, never `insecure`.
            ...(access.caCertificate ? { cacertFile: access.caCertificate } : {}),
        };
        this.provider = new openstack.Provider(`${name}-admin`, {
            ...auth,
            userName: access.adminUser,
            tenantName: access.adminProject,
            password: pulumi.secret(access.adminPassword),
        }, { parent: this });
        if (settings.services.octavia) {
            if (!access.octaviaPassword) throw new Error("Octavia is on but the deployment gave no octavia password");
            // Octavia finds amphorae by tag and by owner = the service project: upload as the octavia user.
            this.octaviaProvider = new openstack.Provider(`${name}-octavia`, {
                ...auth,
                userName: "octavia",
                tenantName: "service",
                password: pulumi.secret(access.octaviaPassword),
            }, { parent: this });
        }
        const networks = new CloudNetworks(`${name}-networks`, { settings, provider: this.provider }, { parent: this });
        const basics = new CloudBasics(`${name}-basics`, { settings, provider: this.provider }, { parent: this });
        const images = new GlanceImages(`${name}-images`, { settings, provider: this.provider, octaviaProvider: this.octaviaProvider, amphora: args.amphora }, { parent: this });
        const smoke = settings.smokeTest ? new SmokeTest(`${name}-smoke`, { settings, provider: this.provider, networks, basics, images }, { parent: this }) : undefined;

        this.authUrl = access.authUrl;
        this.horizonUrl = horizonUrl(settings);
        this.region = access.region;
        this.externalNetworkId = networks.external.id;
        this.externalSubnetId = networks.externalSubnet.id;
        this.tenantNetworkId = networks.tenant.id;
        this.tenantSubnetId = networks.tenantSubnet.id;
        this.routerId = networks.router.id;
        this.cirrosImageId = images.cirros.id;
        // A built amphora's id is handed on only once Glance's checksum matched the build's.
        this.amphoraImageId = images.amphora
            ? pulumi.all([images.amphora.id, images.amphoraVerified ?? true]).apply(([id]) => id)
            : pulumi.output(undefined);
        this.flavorIds = pulumi.all(Object.fromEntries(Object.entries(basics.flavors).map(([n, f]) => [n, f.id])));
        this.keypairName = basics.keypair ? basics.keypair.name : pulumi.output(undefined);
        this.smokeTestAddress = smoke ? smoke.address : pulumi.output(undefined);
        this.adminPassword = pulumi.secret(access.adminPassword);
        this.registerOutputs({ authUrl: this.authUrl, externalNetworkId: this.externalNetworkId, tenantNetworkId: this.tenantNetworkId });
    }
}
