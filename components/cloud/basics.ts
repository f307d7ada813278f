// Flavors, keypair, default security group rules and quotas (init-runonce).
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { Settings } from "../../config/settings";
import { Child, INIT_RUNONCE_FLAVORS, INIT_RUNONCE_QUOTAS, INIT_RUNONCE_RULES } from "./shared";

/** Flavors, keypair, default security group rules and quotas of the admin project. */
export class CloudBasics extends pulumi.ComponentResource {
    readonly flavors: Record<string, openstack.compute.Flavor>;
    readonly keypair?: openstack.compute.Keypair;

    constructor(
        name: string,
        args: { settings: Settings; provider: openstack.Provider },
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("openstack-aio:cloud:CloudBasics", name, {}, opts);
        const { settings } = args;
        const c: Child = { parent: this, provider: args.provider };
        this.flavors = {};
        for (const f of INIT_RUNONCE_FLAVORS) {
            this.flavors[f.name] = new openstack.compute.Flavor(
                `${name}-flavor-${f.name}`,
                {
                    name: f.name,
                    flavorId: f.id,
                    vcpus: f.vcpus,
                    ram: f.ram,
                    disk: f.disk,
                    isPublic: true,
                },
                c,
            );
        }
        if (settings.keypair.publicKey) {
            this.keypair = new openstack.compute.Keypair(
                `${name}-keypair`,
                { name: settings.keypair.name, publicKey: settings.keypair.publicKey },
                c,
            );
        }
        const invoke = { provider: args.provider, parent: this };
        const admin = openstack.identity.getProjectOutput({ name: "admin" }, invoke);
        const defaultGroup = openstack.networking.getSecGroupOutput(
            { name: "default", tenantId: admin.id },
            invoke,
        );
        for (const rule of INIT_RUNONCE_RULES) {
            new openstack.networking.SecGroupRule(
                `${name}-default-${rule.name}`,
                {
                    securityGroupId: defaultGroup.id,
                    direction: "ingress",
                    ethertype: "IPv4",
                    protocol: rule.protocol,
                    ...(rule.port ? { portRangeMin: rule.port, portRangeMax: rule.port } : {}),
                    remoteIpPrefix: "0.0.0.0/0",
                },
                c,
            );
        }
        new openstack.compute.QuotaSetV2(
            `${name}-admin-quotas`,
            {
                projectId: admin.id,
                region: settings.region,
                ...INIT_RUNONCE_QUOTAS,
            },
            c,
        );
        this.registerOutputs({
            flavorIds: Object.fromEntries(Object.entries(this.flavors).map(([n, f]) => [n, f.id])),
            keypairName: this.keypair?.name,
        });
    }
}
